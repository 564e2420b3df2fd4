import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@live-casino/testing';
import { request, startTestSfu, type TestSfu } from './helpers.js';

const TABLE = 'roulette-1';

function codeOf(res: { ok: boolean; error?: { code: string } }): string | undefined {
  return res.ok ? undefined : res.error?.code;
}

/**
 * Issue 10, point 5: streams are tied to people. A socket belongs to the subject of its first
 * token; a subject holds a bounded number of sockets and transports; a peer whose token expires
 * unrefreshed loses its transports.
 */
describe('sfu stream access: subjects, caps, expiry', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu({
      SFU_MAX_SOCKETS_PER_SUB: '2',
      SFU_MAX_TRANSPORTS_PER_PEER: '2',
      SFU_MAX_TRANSPORTS_PER_SUB: '3',
      SFU_SOCKET_AUTH_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const join = async (socket: Socket, sub: string, ttlS = 60) =>
    request(socket, 'join', { token: await t.token(TABLE, 'view', ttlS, sub), tableId: TABLE });
  const recvTransport = async (socket: Socket, sub: string) =>
    request(socket, 'createTransport', {
      token: await t.token(TABLE, 'view', 60, sub),
      tableId: TABLE,
      direction: 'recv',
    });
  const table = () => t.sfu.tables.get(TABLE)!;

  it('a view token of player A is refused on a socket bound to player B, and changes nothing', async () => {
    const socket = await t.connect();
    expect((await join(socket, 'player-b')).ok).toBe(true);
    expect((await recvTransport(socket, 'player-b')).ok).toBe(true);
    const before = table().transportCount(socket.id!);
    for (const name of ['join', 'createTransport', 'refreshToken'] as const) {
      const res = await request(socket, name, {
        token: await t.token(TABLE, 'view', 60, 'player-a'),
        tableId: TABLE,
        ...(name === 'createTransport' ? { direction: 'recv' } : {}),
      });
      expect(codeOf(res), name).toBe('STREAM_TOKEN_WRONG_SUBJECT');
    }
    expect(table().transportCount(socket.id!)).toBe(before);
    expect(table().hasPeer(socket.id!)).toBe(true);
    socket.close();
  });

  it('a subject holds at most SFU_MAX_SOCKETS_PER_SUB sockets; a closed one frees its place', async () => {
    const sockets = [];
    for (let i = 0; i < 3; i++) sockets.push(await t.connect());
    const [a, b, c] = sockets as [Socket, Socket, Socket];
    expect((await join(a, 'player-c')).ok).toBe(true);
    expect((await join(b, 'player-c')).ok).toBe(true);
    expect(codeOf(await join(c, 'player-c'))).toBe('STREAM_LIMIT_REACHED');
    // Another player is not held back by player-c's sockets.
    expect((await join(c, 'player-d')).ok).toBe(true);
    a.close();
    const d = await t.connect();
    await waitFor('player-c to get a socket back', async () => ((await join(d, 'player-c')).ok ? true : undefined));
    for (const s of [b, c, d]) s.close();
  });

  it('a peer opens at most SFU_MAX_TRANSPORTS_PER_PEER transports, even when it asks all at once', async () => {
    const socket = await t.connect();
    expect((await join(socket, 'player-e')).ok).toBe(true);
    const answers = await Promise.all(Array.from({ length: 6 }, () => recvTransport(socket, 'player-e')));
    expect(answers.filter((r) => r.ok)).toHaveLength(2);
    expect(new Set(answers.filter((r) => !r.ok).map(codeOf))).toEqual(new Set(['STREAM_LIMIT_REACHED']));
    expect(table().transportCount(socket.id!)).toBe(2);
    socket.close();
  });

  it('a subject holds at most SFU_MAX_TRANSPORTS_PER_SUB transports over all its sockets', async () => {
    const a = await t.connect();
    const b = await t.connect();
    expect((await join(a, 'player-f')).ok).toBe(true);
    expect((await join(b, 'player-f')).ok).toBe(true);
    expect((await recvTransport(a, 'player-f')).ok).toBe(true);
    expect((await recvTransport(a, 'player-f')).ok).toBe(true);
    expect((await recvTransport(b, 'player-f')).ok).toBe(true);
    expect(codeOf(await recvTransport(b, 'player-f'))).toBe('STREAM_LIMIT_REACHED');
    expect(table().transportCount(a.id!) + table().transportCount(b.id!)).toBe(3);
    a.close();
    b.close();
  });

  it('an expired, unrefreshed token closes its peer and transports; a refreshed one keeps them', async () => {
    const expiring = await t.connect();
    const refreshed = await t.connect();
    const expiredEvents: { tableId: string; at: number }[] = [];
    expiring.on('tokenExpired', (ev) => expiredEvents.push({ ...ev, at: Date.now() }));
    let refreshedExpired = false;
    refreshed.on('tokenExpired', () => {
      refreshedExpired = true;
    });
    // Tokens expire on whole seconds: both get the same `exp`.
    const shortToken = await t.token(TABLE, 'view', 2, 'player-g');
    const expS = JSON.parse(Buffer.from(shortToken.split('.')[1]!, 'base64url').toString()).exp as number;
    for (const s of [expiring, refreshed]) {
      expect((await request(s, 'join', { token: shortToken, tableId: TABLE })).ok).toBe(true);
      const res = await request(s, 'createTransport', {
        token: shortToken,
        tableId: TABLE,
        direction: 'recv',
      });
      expect(res.ok).toBe(true);
    }
    const refresh = await request(refreshed, 'refreshToken', {
      token: await t.token(TABLE, 'view', 60, 'player-g'),
      tableId: TABLE,
    });
    expect(refresh).toMatchObject({ ok: true, data: { expiresAt: expect.any(Number) } });
    expect((refresh as { data: { expiresAt: number } }).data.expiresAt).toBeGreaterThan(expS * 1000 + 50_000);

    const ev = await waitFor('tokenExpired on the unrefreshed socket', () => expiredEvents[0], 15_000);
    const closedAfterMs = ev.at - expS * 1000;
    console.info(`expired token: peer closed ${closedAfterMs} ms after expiry`);
    expect(ev.tableId).toBe(TABLE);
    expect(closedAfterMs).toBeGreaterThanOrEqual(0);
    expect(table().hasPeer(expiring.id!)).toBe(false);
    expect(table().transportCount(expiring.id!)).toBe(0);
    // The refreshed peer went through the same second untouched.
    expect(refreshedExpired).toBe(false);
    expect(table().hasPeer(refreshed.id!)).toBe(true);
    expect(table().transportCount(refreshed.id!)).toBe(1);
    // The expired socket must join again (with a fresh token) before it can do anything.
    const after = await request(expiring, 'createTransport', {
      token: await t.token(TABLE, 'view', 60, 'player-g'),
      tableId: TABLE,
      direction: 'recv',
    });
    expect(codeOf(after)).toBe('TABLE_NOT_LIVE');
    expiring.close();
    refreshed.close();
  });

  it('refreshToken takes only a token of the same subject, table and role, after a join', async () => {
    const socket = await t.connect();
    const refresh = async (token: string, tableId = TABLE) =>
      codeOf(await request(socket, 'refreshToken', { token, tableId }));
    expect(await refresh(await t.token(TABLE, 'view', 60, 'player-h'))).toBe('TABLE_NOT_LIVE');
    expect((await join(socket, 'player-h')).ok).toBe(true);
    expect(await refresh(await t.token(TABLE, 'view', 60, 'player-i'))).toBe('STREAM_TOKEN_WRONG_SUBJECT');
    expect(await refresh(await t.token(TABLE, 'publish', 60, 'player-h'))).toBe('AUTH_FORBIDDEN_ROLE');
    expect(await refresh(await t.token('baccarat-1', 'view', 60, 'player-h'))).toBe('AUTH_WRONG_TABLE');
    expect(await refresh(await t.token(TABLE, 'view', 60, 'player-h'))).toBeUndefined();
    socket.close();
  });

  it('a socket that never presents a valid token is disconnected', async () => {
    const socket = await t.connect();
    expect(codeOf(await request(socket, 'join', { token: 'garbage', tableId: TABLE }))).toBe('AUTH_TOKEN_INVALID');
    await waitFor('the idle socket to be dropped', () => (socket.connected ? undefined : true), 15_000);
  });
});
