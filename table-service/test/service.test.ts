import type { RoundEventPayload, TableAck } from '@live-casino/protocol';
import fc from 'fast-check';
import { waitFor } from '@live-casino/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableService } from '../src/TableService.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

describe('table-service over HTTP and socket.io', () => {
  let server: TestPostgres;
  let service: TestService;
  let svc: TableService;
  let url: string;
  let dealer: string;
  let pitboss: string;
  let player: string;

  const inject: TestService['inject'] = (method, path, token, body) => service.inject(method, path, token, body);

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [
        { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
        { id: 'boss', role: 'pitboss', password: 'boss-password' },
      ],
      demoPlayers: 2,
    });
    ({ svc, url } = service);
    dealer = await service.staffToken('dealer-1', 'dealer-password');
    pitboss = await service.staffToken('boss', 'boss-password');
    player = await service.playerToken('demo1');
  });
  afterAll(async () => {
    await svc?.close();
    await server?.close();
  });

  it('runs a round: dealer opens, players bet over HTTP and socket, events carry consecutive seqs, settles', async () => {
    const socket: Socket = io(url, { transports: ['websocket'], auth: { token: player }, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const events: RoundEventPayload[] = [];
    socket.on('round', (ev: RoundEventPayload) => events.push(ev));
    const snap = (await socket.emitWithAck('subscribe', { tableId: 'roulette-1' })) as TableAck<{ seq: number }>;
    expect(snap.ok).toBe(true);

    const opened = await inject('POST', '/v1/tables/roulette-1/rounds', dealer, {
      opensAtStudioMs: Date.now() - 20_000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;
    // A dealer of another table, and a player, cannot open rounds here.
    expect(
      (await inject('POST', '/v1/tables/baccarat-1/rounds', dealer, { opensAtStudioMs: Date.now() })).body.code,
    ).toBe('AUTH_WRONG_TABLE');
    expect(
      (await inject('POST', '/v1/tables/roulette-1/rounds', player, { opensAtStudioMs: Date.now() })).body.code,
    ).toBe('AUTH_FORBIDDEN_ROLE');

    const httpBet = await inject('POST', '/v1/bets', player, {
      clientBetId: 'h1',
      roundId,
      bet: { type: 'red' },
      stake: 1000,
    });
    expect(httpBet.status).toBe(201);
    const socketBet = (await socket.emitWithAck('placeBet', {
      clientBetId: 's1',
      roundId,
      bet: { type: 'straight', numbers: [32] },
      stake: 500,
    })) as TableAck<{ status: string }>;
    expect(socketBet).toMatchObject({ ok: true, data: { status: 'placed' } });

    expect((await inject('POST', `/v1/rounds/${roundId}/close`, dealer, { closesAtStudioMs: Date.now() })).status).toBe(
      200,
    );
    expect((await inject('POST', `/v1/rounds/${roundId}/result`, dealer, { result: { pocket: 32 } })).status).toBe(200);
    expect((await inject('POST', `/v1/rounds/${roundId}/confirm`, dealer)).status).toBe(200);
    const settled = await inject('POST', `/v1/rounds/${roundId}/settle`, pitboss);
    expect(settled.body.state).toBe('SETTLED');
    // 32 is red: red pays 1:1 (+1000), straight 35:1 (+17500).
    const me = await inject('GET', '/v1/me', player);
    expect(me.body.balance.amount).toBe(100_000 + 1000 + 17_500);

    // Events go out after commit; wait for all five (not for a fixed time).
    await waitFor('the five round events', () => (events.length >= 5 ? true : undefined), 10_000);
    expect(events.map((e) => e.event)).toEqual([
      'BETTING_OPEN',
      'BETTING_CLOSED',
      'RESULT_PENDING',
      'RESULT_CONFIRMED',
      'SETTLED',
    ]);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(seqs[0]).toBe(snap.ok ? snap.data.seq + 1 : Number.NaN);
    const resync = await inject('GET', '/v1/tables/roulette-1/snapshot');
    expect(resync.body.seq).toBe(seqs.at(-1));
    socket.close();
  });

  it('bad input on every round and bet route gets a typed 4xx and changes nothing', async () => {
    const before = await svc.db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM bets) + (SELECT count(*) FROM rounds) AS n',
    );
    const routes: [string, string, string][] = [
      ['POST', '/v1/bets', player],
      ['POST', '/v1/tables/roulette-1/rounds', dealer],
      ['POST', '/v1/rounds/r_00000000-0000-0000-0000-000000000000/close', dealer],
      ['POST', '/v1/rounds/r_00000000-0000-0000-0000-000000000000/result', dealer],
      ['POST', '/v1/rounds/r_00000000-0000-0000-0000-000000000000/void', pitboss],
      ['POST', '/v1/me/playout-delay', player],
      ['POST', '/v1/stream-grants', player],
    ];
    for (const [method, path, token] of routes) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything()), fc.object()),
          async (body) => {
            const res = await svc.app.inject({
              method: method as 'POST',
              url: path,
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              payload: JSON.stringify(body ?? null),
            });
            const parsed = JSON.parse(res.body || '{}');
            if (res.statusCode === 204) return path === '/v1/me/playout-delay';
            if (res.statusCode === 200) return path === '/v1/stream-grants'; // a fuzzed valid view request
            return res.statusCode >= 400 && res.statusCode < 500 && typeof parsed.code === 'string';
          },
        ),
        { numRuns: 1000 },
      );
    }
    // Path parameters: any string in the id position is refused with a typed 4xx.
    const paramRoutes: [string, (id: string) => string, string][] = [
      ['POST', (id) => `/v1/rounds/${id}/confirm`, dealer],
      ['POST', (id) => `/v1/rounds/${id}/settle`, pitboss],
      ['DELETE', (id) => `/v1/bets/${id}`, player],
      ['GET', (id) => `/v1/tables/${id}/round`, player],
      ['GET', (id) => `/v1/tables/${id}/snapshot`, player],
    ];
    for (const [method, path, token] of paramRoutes) {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (id) => {
          const res = await svc.app.inject({
            method: method as 'POST',
            url: path(encodeURIComponent(id)),
            headers: { authorization: `Bearer ${token}` },
          });
          return res.statusCode >= 400 && res.statusCode < 500 && typeof JSON.parse(res.body || '{}').code === 'string';
        }),
        { numRuns: 1000 },
      );
    }
    // Query strings: GET /v1/bets?limit= takes 1..200 and refuses anything else with a code.
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)), async (limit) => {
        const res = await svc.app.inject({
          method: 'GET',
          url: `/v1/bets?limit=${encodeURIComponent(limit)}`,
          headers: { authorization: `Bearer ${player}` },
        });
        const n = Number(limit);
        const inRange = limit.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= 200;
        const refused = res.statusCode === 400 && JSON.parse(res.body).code === 'BAD_REQUEST';
        // Plain decimals in range are taken; anything not a whole number in range is refused;
        // other spellings of a valid number ("1e0", "01", " 1") may go either way, but with a code.
        if (/^[1-9][0-9]*$/.test(limit) && inRange) return res.statusCode === 200;
        if (!inRange) return refused;
        return res.statusCode === 200 || refused;
      }),
      { numRuns: 1000 },
    );
    // Oversized bodies: 413 with a code, on every route that takes one.
    for (const [method, path, token] of routes) {
      const res = await svc.app.inject({
        method: method as 'POST',
        url: path,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ filler: 'x'.repeat(20_000) }),
      });
      expect([res.statusCode, JSON.parse(res.body).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    }
    const after = await svc.db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM bets) + (SELECT count(*) FROM rounds) AS n',
    );
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  }, 240_000);

  it('bad socket events get a typed refusal', async () => {
    const socket: Socket = io(url, { transports: ['websocket'], auth: { token: player }, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    for (const name of ['subscribe', 'placeBet', 'cancelBet', 'reportDelay']) {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())), async (body) => {
          const res = (await socket.timeout(5000).emitWithAck(name, body)) as TableAck<unknown>;
          return res.ok
            ? name === 'reportDelay' || name === 'subscribe'
            : typeof res.error.code === 'string' && res.error.code !== 'INTERNAL';
        }),
        { numRuns: 1000 },
      );
    }
    const anonymous: Socket = io(url, { transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => anonymous.once('connect', () => resolve()));
    const refused = (await anonymous.emitWithAck('placeBet', {
      clientBetId: 'x',
      roundId: 'r_00000000-0000-0000-0000-000000000000',
      bet: { type: 'red' },
      stake: 100,
    })) as TableAck<unknown>;
    expect(refused).toMatchObject({ ok: false, error: { code: 'AUTH_TOKEN_MISSING' } });
    anonymous.close();
    socket.close();
  }, 240_000);
});
