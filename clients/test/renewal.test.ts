import { type Credentials, RENEW_BEFORE_MS, renewAt, TableServiceClient } from '@live-casino/clients';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('renewAt', () => {
  it('renews a minute before the end, or half-way through a life shorter than two minutes', () => {
    const t0 = 1_700_000_000_000;
    expect(renewAt(t0 + 300_000, t0)).toBe(t0 + 240_000);
    expect(renewAt(t0 + 3_600_000, t0)).toBe(t0 + 3_540_000);
    expect(renewAt(t0 + 20_000, t0)).toBe(t0 + 10_000);
    expect(renewAt(t0 + 120_000, t0)).toBe(t0 + 60_000);
    expect(renewAt(t0 + 20_000, t0, 5_000)).toBe(t0 + 15_000);
  });

  it('takes a token that looks already over (clocks disagree) as due at once', () => {
    expect(renewAt(1000, 5000)).toBe(1000);
    expect(renewAt(1000, 1000)).toBe(1000);
  });

  it('is never before half the life nor after the end, and never later than renewBeforeMs before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 0, max: 86_400_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (obtainedAt, lifeMs, renewBeforeMs) => {
          const expiresAt = obtainedAt + lifeMs;
          const at = renewAt(expiresAt, obtainedAt, renewBeforeMs);
          expect(at).toBeGreaterThanOrEqual(obtainedAt + lifeMs / 2);
          expect(at).toBeLessThanOrEqual(expiresAt);
          expect(at).toBeGreaterThanOrEqual(expiresAt - renewBeforeMs);
          if (lifeMs >= 2 * renewBeforeMs) expect(at).toBe(expiresAt - renewBeforeMs);
        },
      ),
    );
  });
});

/**
 * A table-service that answers sign-ins and view grants from memory, on the test's clock: each
 * session and grant lives `ttlMs`.
 */
function fakeTableService(ttlMs: { session: number; grant: number }) {
  let clock = 1_700_000_000_000;
  const calls: string[] = [];
  let n = 0;
  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input)).pathname;
    calls.push(path);
    n += 1;
    if (path === '/v1/auth/login') {
      return json({
        token: `session-${n}`,
        expiresAt: clock + ttlMs.session,
        player: { id: 'p_1', username: 'demo1', displayName: 'Demo 1', currency: 'EUR' },
      });
    }
    if (path === '/v1/auth/refresh') {
      return json({ token: `session-${n}`, expiresAt: clock + ttlMs.session });
    }
    if (path === '/v1/stream-grants') {
      const body: unknown = JSON.parse(String(init?.body));
      const tableId = typeof body === 'object' && body !== null && 'tableId' in body ? String(body.tableId) : '';
      return json({
        tableId,
        token: `grant-${n}`,
        expiresAt: clock + ttlMs.grant,
        sfuUrl: 'http://sfu.test',
        hlsUrl: 'http://sfu.test/hls/index.m3u8',
      });
    }
    return new Response(JSON.stringify({ code: 'ROUTE_NOT_FOUND', message: path }), { status: 404 });
  };
  return {
    fetch,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
    count: (path: string) => calls.filter((c) => c === path).length,
  };
}

function clientOf(service: ReturnType<typeof fakeTableService>, credentials?: Credentials): TableServiceClient {
  return new TableServiceClient({
    baseUrl: 'http://table-service.test',
    fetch: service.fetch,
    now: service.now,
    ...(credentials ? { credentials } : {}),
  });
}

describe('TableServiceClient renewal', () => {
  it('keeps a 20 s grant for the first half of its life and fetches a new one after', async () => {
    const service = fakeTableService({ session: 3_600_000, grant: 20_000 });
    const client = clientOf(service);
    client.useSession({ token: 'session-0', expiresAt: service.now() + 3_600_000 });

    const first = await client.streamGrant('roulette-1');
    for (let t = 0; t < 9; t++) {
      service.advance(1_000);
      expect((await client.streamGrant('roulette-1')).token).toBe(first.token);
    }
    expect(service.count('/v1/stream-grants')).toBe(1);

    service.advance(1_500);
    const second = await client.streamGrant('roulette-1');
    expect(second.token).not.toBe(first.token);
    expect(await client.streamGrant('roulette-1')).toBe(second);
    expect(service.count('/v1/stream-grants')).toBe(2);
  });

  it('keeps a long grant until a minute before its end', async () => {
    const service = fakeTableService({ session: 3_600_000, grant: 300_000 });
    const client = clientOf(service);
    client.useSession({ token: 'session-0', expiresAt: service.now() + 3_600_000 });
    await client.streamGrant('roulette-1');
    service.advance(300_000 - RENEW_BEFORE_MS - 1);
    await client.streamGrant('roulette-1');
    expect(service.count('/v1/stream-grants')).toBe(1);
    service.advance(1);
    await client.streamGrant('roulette-1');
    expect(service.count('/v1/stream-grants')).toBe(2);
  });

  it('signs in again with kept credentials half-way through a short session, not on every call', async () => {
    const service = fakeTableService({ session: 20_000, grant: 300_000 });
    const client = clientOf(service, { kind: 'player', username: 'demo1', password: 'demo-password' });
    const first = await client.token();
    service.advance(9_000);
    expect(await client.token()).toBe(first);
    expect(client.signIns).toBe(1);
    service.advance(1_000);
    expect(await client.token()).not.toBe(first);
    expect(client.signIns).toBe(2);
  });

  it('counts an adopted session from when it was adopted; without credentials it refreshes it, and refuses it once over', async () => {
    const service = fakeTableService({ session: 3_600_000, grant: 300_000 });
    const client = clientOf(service);
    const heard: string[] = [];
    client.onSession((s) => heard.push(s.token));
    // A page reloaded 10 s before its session ends: kept for 5 s, then refreshed (no password).
    client.useSession({ token: 'session-0', expiresAt: service.now() + 10_000 });
    service.advance(4_999);
    expect(await client.token()).toBe('session-0');
    service.advance(1);
    const refreshed = await client.token();
    expect(refreshed).not.toBe('session-0');
    expect(service.count('/v1/auth/refresh')).toBe(1);
    expect(service.count('/v1/auth/login')).toBe(0);
    expect(heard).toEqual(['session-0', refreshed]);
    // A session that has ended is not refreshed: sign in again.
    const ended = clientOf(service);
    ended.useSession({ token: 'session-x', expiresAt: service.now() + 10_000 });
    service.advance(10_000);
    await expect(ended.token()).rejects.toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
    expect(service.count('/v1/auth/refresh')).toBe(1);
  });
});
