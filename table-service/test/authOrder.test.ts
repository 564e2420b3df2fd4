import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

const ROUND = 'r_00000000-0000-4000-8000-000000000000';

describe('who may call before how to call: 401/403 before 400', () => {
  let server: TestPostgres;
  let service: TestService;
  let player: string;
  let dealer: string;

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [{ id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' }],
      demoPlayers: 1,
    });
    player = await service.playerToken('demo1');
    dealer = await service.staffToken('dealer-1', 'dealer-password');
  });
  afterAll(async () => {
    await service?.svc.close();
    await server?.close();
  });

  /** Routes called with a bad body, bad parameters or a bad query. */
  const bad: { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown; role: 'player' | 'staff' }[] = [
    { method: 'POST', path: '/v1/bets', body: { nonsense: true }, role: 'player' },
    { method: 'POST', path: '/v1/bets/rebet', body: { roundId: 7 }, role: 'player' },
    { method: 'DELETE', path: '/v1/bets/%20bad%20id', role: 'player' },
    { method: 'GET', path: '/v1/bets?limit=abc', role: 'player' },
    { method: 'POST', path: '/v1/me/playout-delay', body: { mode: 'carrier-pigeon' }, role: 'player' },
    { method: 'POST', path: '/v1/tables/roulette-1/rounds', body: { opensAtStudioMs: 'soon' }, role: 'staff' },
    { method: 'POST', path: `/v1/rounds/${ROUND}/close`, body: {}, role: 'staff' },
    { method: 'POST', path: '/v1/rounds/not-a-round/result', body: { result: 'red' }, role: 'staff' },
    { method: 'POST', path: `/v1/rounds/${ROUND}/void`, body: { reason: 1 }, role: 'staff' },
    { method: 'POST', path: '/v1/tables/roulette-1/readings', body: { readingId: 1 }, role: 'staff' },
  ];

  it('answers 401 without a session, whatever the body', async () => {
    for (const r of bad) {
      const res = await service.inject(r.method, r.path, undefined, r.body);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.code, `${r.method} ${r.path}`).toBe('AUTH_TOKEN_MISSING');
    }
  });

  it('answers 403 to the wrong role, whatever the body', async () => {
    for (const r of bad) {
      const token = r.role === 'player' ? dealer : player;
      const res = await service.inject(r.method, r.path, token, r.body);
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
    }
  });

  it('answers 400 to the right role with a bad request', async () => {
    for (const r of bad.filter((x) => x.role === 'player')) {
      const res = await service.inject(r.method, r.path, player, r.body);
      expect(res.status, `${r.method} ${r.path}`).toBe(400);
      expect(res.body.code, `${r.method} ${r.path}`).toBe('BAD_REQUEST');
    }
  });

  it('refuses a bet-history limit out of range or not a whole number instead of bending it', async () => {
    for (const limit of ['1e9', '0', '-1', '201', '2.5', '1e1', 'abc', '']) {
      const res = await service.inject('GET', `/v1/bets?limit=${limit}`, player);
      expect(res.status, `limit=${limit}`).toBe(400);
      expect(res.body.code, `limit=${limit}`).toBe('BAD_REQUEST');
    }
    for (const limit of ['1', '50', '200']) {
      expect((await service.inject('GET', `/v1/bets?limit=${limit}`, player)).status, `limit=${limit}`).toBe(200);
    }
  });
});
