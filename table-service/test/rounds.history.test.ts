import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@live-casino/testing';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

describe('GET /v1/rounds/:roundId', () => {
  let server: TestPostgres;
  let service: TestService;

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [
        { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' },
        { id: 'dealer-2', role: 'dealer', tableId: 'baccarat-1', password: 'dealer-password' },
      ],
      demoPlayers: 2,
    });
  });
  afterAll(async () => {
    await service?.svc.close();
    await server?.close();
  });

  it("shows a finished round with its result, the caller's own bets and payouts, and staff the totals", async () => {
    const dealer = await service.staffToken('dealer-1', 'dealer-password');
    const otherDealer = await service.staffToken('dealer-2', 'dealer-password');
    const alice = await service.playerToken('demo1');
    const bob = await service.playerToken('demo2');

    const opened = await service.inject('POST', '/v1/tables/roulette-1/rounds', dealer, {
      opensAtStudioMs: Date.now() - 5_000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;
    const bet = async (token: string, clientBetId: string, type: string, stake: number) => {
      const res = await service.inject('POST', '/v1/bets', token, { clientBetId, roundId, bet: { type }, stake });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    };
    await bet(alice, 'a-red', 'red', 1000);
    await bet(alice, 'a-black', 'black', 500);
    await bet(bob, 'b-red', 'red', 2000);

    expect(
      (await service.inject('POST', `/v1/rounds/${roundId}/close`, dealer, { closesAtStudioMs: Date.now() })).status,
    ).toBe(200);
    expect(
      (await service.inject('POST', `/v1/rounds/${roundId}/result`, dealer, { result: { pocket: 1 } })).status,
    ).toBe(200);
    expect((await service.inject('POST', `/v1/rounds/${roundId}/confirm`, dealer)).status).toBe(200);
    // Settled by the table's owner once late bets can no longer come.
    await waitFor(
      'the round settled',
      async () =>
        (await service.inject('GET', `/v1/rounds/${roundId}`, dealer)).body.round?.state === 'SETTLED'
          ? true
          : undefined,
      20_000,
      100,
    );
    // A new round: the finished one is no longer the table's current round, and is still there.
    expect(
      (await service.inject('POST', '/v1/tables/roulette-1/rounds', dealer, { opensAtStudioMs: Date.now() })).status,
    ).toBe(201);

    const asAlice = await service.inject('GET', `/v1/rounds/${roundId}`, alice);
    expect(asAlice.status).toBe(200);
    expect(asAlice.body.round).toMatchObject({
      roundId,
      tableId: 'roulette-1',
      state: 'SETTLED',
      result: { pocket: 1 },
      opensAtStudioMs: expect.any(Number),
      closesAtStudioMs: expect.any(Number),
    });
    expect(asAlice.body.totals).toBeUndefined();
    const mine = (asAlice.body.bets as { clientBetId: string; status: string; stake: number; payout: number }[]).map(
      (b) => [b.clientBetId, b.status, b.stake, b.payout],
    );
    expect(mine.sort()).toEqual([
      ['a-black', 'lost', 500, 0],
      ['a-red', 'won', 1000, 2000],
    ]);
    const asBob = await service.inject('GET', `/v1/rounds/${roundId}`, bob);
    expect((asBob.body.bets as { clientBetId: string }[]).map((b) => b.clientBetId)).toEqual(['b-red']);

    const asDealer = await service.inject('GET', `/v1/rounds/${roundId}`, dealer);
    expect(asDealer.status).toBe(200);
    expect(asDealer.body.bets).toBeUndefined();
    expect(asDealer.body.totals).toEqual({
      bets: 3,
      players: 2,
      staked: 3500,
      paidOut: 6000,
      byStatus: { won: { bets: 2, staked: 3000 }, lost: { bets: 1, staked: 500 } },
    });
    // Not a dealer of another table; not anyone without a session.
    expect((await service.inject('GET', `/v1/rounds/${roundId}`, otherDealer)).body.code).toBe('AUTH_WRONG_TABLE');
    expect((await service.inject('GET', `/v1/rounds/${roundId}`)).status).toBe(401);
    expect((await service.inject('GET', '/v1/rounds/r_00000000-0000-4000-8000-000000000000', alice)).status).toBe(404);
    expect((await service.inject('GET', '/v1/rounds/nope', alice)).status).toBe(400);

    const spec = await service.inject('GET', '/docs/json');
    expect(spec.body.paths['/v1/rounds/{roundId}'].get.tags).toEqual(['rounds']);
  });
});
