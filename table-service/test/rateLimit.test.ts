import type { TableAck } from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@live-casino/testing';
import { SocketRateLimits } from '../src/realtime/SocketRateLimits.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';

describe('SocketRateLimits', () => {
  const config = {
    all: { ratePerS: 50, burst: 100 },
    placeBet: { ratePerS: 20, burst: 40 },
    cancelBet: { ratePerS: 10, burst: 20 },
    reportDelay: { ratePerS: 2, burst: 4 },
    sendChat: { ratePerS: 1, burst: 5 },
  };

  it('lets a burst through, then the rate; a refusal says how long to wait and costs nothing', () => {
    const limits = new SocketRateLimits(config, 0);
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (limits.take('placeBet', 0) === 0) accepted++;
    expect(accepted).toBe(40);
    expect(limits.take('placeBet', 0)).toBeCloseTo(50);
    // Refusals took nothing: 50 ms later exactly one more bet goes through.
    expect(limits.take('placeBet', 50)).toBe(0);
    expect(limits.take('placeBet', 50)).toBeGreaterThan(0);
    // Other events have their own buckets, under the shared one.
    expect(limits.take('cancelBet', 50)).toBe(0);
    expect(limits.take('subscribe', 50)).toBe(0);
    for (let i = 0; i < 4; i++) expect(limits.take('reportDelay', 50)).toBe(0);
    expect(limits.take('reportDelay', 50)).toBeCloseTo(500);
    // The shared bucket: 100 at once whatever the event, 47 of them taken above, 3 refilled in 60 ms.
    let subscribes = 0;
    for (let i = 0; i < 200; i++) if (limits.take('subscribe', 60) === 0) subscribes++;
    expect(subscribes).toBe(100 - (41 + 1 + 1 + 4) + 3);
  });

  it('rate 0 is no limit', () => {
    const off = { ratePerS: 0, burst: 1 };
    const limits = new SocketRateLimits(
      { all: off, placeBet: off, cancelBet: off, reportDelay: off, sendChat: off },
      0,
    );
    for (let i = 0; i < 10_000; i++) expect(limits.take('placeBet', 0)).toBe(0);
  });
});

describe('per-socket rate limits on table-service', () => {
  let server: TestPostgres;
  let service: TestService;
  let socket: Socket | undefined;

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [{ id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' }],
      demoPlayers: 1,
    });
  });
  afterAll(async () => {
    socket?.close();
    await service?.svc.close();
    await server?.close();
  });

  it('400 placeBet in 2 s on one socket: most refused RATE_LIMITED unprocessed, the rest placed', async () => {
    const dealer = await service.staffToken('dealer-1', 'dealer-password');
    const player = await service.playerToken('demo1');
    const opened = await service.inject('POST', '/v1/tables/roulette-1/rounds', dealer, {
      opensAtStudioMs: Date.now() - 1000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;

    const s = io(service.url, { transports: ['websocket'], auth: { token: player }, forceNew: true });
    socket = s;
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));

    const acks: Promise<TableAck<{ clientBetId?: string; status?: string }>>[] = [];
    const startedAt = Date.now();
    for (let i = 0; i < 400; i++) {
      acks.push(s.emitWithAck('placeBet', { clientBetId: `flood-${i}`, roundId, bet: { type: 'red' }, stake: 100 }));
      // 5 ms apart: 400 requests over 2 s.
      await new Promise((r) => setTimeout(r, 5));
    }
    const answers = await Promise.all(acks);
    const elapsedS = (Date.now() - startedAt) / 1000;

    const placed = answers.filter((a) => a.ok);
    const refused = answers.filter((a) => !a.ok);
    const codes = new Set(refused.map((a) => (a.ok ? '' : a.error.code)));
    expect([...codes]).toEqual(['RATE_LIMITED']);
    // A burst of 40 and 20 a second after it (plus a token's slack for timer granularity).
    expect(placed.length).toBeGreaterThanOrEqual(40);
    expect(placed.length).toBeLessThanOrEqual(40 + Math.ceil(20 * elapsedS) + 1);
    expect(refused.length).toBeGreaterThan(250);

    // What was accepted is exactly what the player's wallet and history show.
    const history = await service.inject('GET', '/v1/bets?limit=200', player);
    expect(history.status).toBe(200);
    const onRound = (history.body as { roundId: string; clientBetId: string; stake: number }[]).filter(
      (b) => b.roundId === roundId,
    );
    expect(new Set(onRound.map((b) => b.clientBetId))).toEqual(
      new Set(placed.map((a) => (a.ok ? a.data.clientBetId : ''))),
    );
    const me = await service.inject('GET', '/v1/me', player);
    expect(me.body.balance.amount).toBe(100_000 - 100 * placed.length);

    // The socket is still served once its bucket refills.
    const later = await waitFor('a bet accepted after the flood', async () => {
      const res = (await s.emitWithAck('placeBet', {
        clientBetId: 'after',
        roundId,
        bet: { type: 'red' },
        stake: 100,
      })) as TableAck<unknown>;
      return !res.ok && res.error.code === 'RATE_LIMITED' ? undefined : res;
    });
    expect(later.ok).toBe(true);
  });
});
