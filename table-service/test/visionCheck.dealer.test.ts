import type { Card } from '@live-casino/protocol/games/baccarat';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDealer } from '@live-casino/studio/publisher';
import type { SceneEvent } from '@live-casino/studio/simulator';
import type { RoundDto } from '../src/rounds/RoundTypes.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { startTestService, type TestService } from './helpers/service.js';
import { waitFor } from '@live-casino/testing';

// The scenes are played 10-20 s in the past: a close that old is taken as it was stamped.
const window = { closeMaxLagMs: 30_000 };
const TABLES = [
  { tableId: 'roulette-1', name: 'Checked roulette', game: 'roulette', visionCheck: true, window },
  { tableId: 'baccarat-1', name: 'Checked baccarat', game: 'baccarat', visionCheck: true, window },
  { tableId: 'roulette-2', name: 'Plain roulette', game: 'roulette', window },
];

/**
 * The studio simulator's dealer against a real table-service: on a vision-checked table it enters
 * results with their studio time and leaves the confirmation to vision; on request it enters a
 * wrong one, which the cross-check catches.
 */
describe('SimulatedDealer on vision-checked tables', () => {
  let server: TestPostgres;
  let service: TestService;
  let vision: string;
  let round = 0;
  let readings = 0;

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [
        ...TABLES.map((t) => ({
          id: `dealer-${t.tableId}`,
          role: 'dealer',
          tableId: t.tableId,
          password: 'dealer-pw',
        })),
        { id: 'vision', role: 'service', password: 'vision-secret-0123456789' },
      ],
      demoPlayers: 0,
      env: { TABLES: JSON.stringify(TABLES), VISION_TIMEOUT_MS: '60000' },
    });
    vision = await service.staffToken('vision', 'vision-secret-0123456789');
  });
  afterAll(async () => {
    await service?.svc.close();
    await server?.close();
  });

  const dealerOf = (tableId: string, wrongResultEvery = 0) =>
    new SimulatedDealer({
      tableId,
      tableServiceUrl: service.url,
      dealerId: `dealer-${tableId}`,
      password: 'dealer-pw',
      wrongResultEvery,
    });

  /** A round of scene events up to the result; resolves with the round once the dealer has entered it. */
  async function playScene(dealer: SimulatedDealer, tableId: string, outcome: SceneEvent[]): Promise<RoundDto> {
    round += 1;
    const t0 = Date.now() - 20_000;
    const events: SceneEvent[] = [
      { type: 'bettingOpened', round, studioTimeMs: t0, bettingClosesAtMs: t0 + 10_000 },
      { type: 'bettingClosed', round, studioTimeMs: t0 + 10_000 },
      ...outcome.map((e) => ({ ...e, round })),
    ];
    for (const event of events) dealer.onSceneEvent(event);
    return waitFor('the dealer to enter the result', async () => {
      const current = await service.svc.rounds.current(tableId);
      return current?.state === 'RESULT_PENDING' || current?.state === 'RESULT_CONFIRMED' ? current : undefined;
    });
  }

  const read = (tableId: string, result: unknown, studioMs: number) =>
    service.inject('POST', `/v1/tables/${tableId}/readings`, vision, {
      readingId: `dealer-test-${++readings}`,
      studioMs,
      confidence: 0.99,
      result,
    });

  const settledOrVoided = (roundId: string) =>
    waitFor('the round to finish', async () => {
      const r = await service.svc.rounds.get(roundId);
      return r.state === 'SETTLED' || r.state === 'VOIDED' ? r : undefined;
    });

  it('roulette: enters the result with its studio time and does not confirm; vision does', async () => {
    const dealer = dealerOf('roulette-1');
    const settledAt = Date.now() - 9000;
    const pending = await playScene(dealer, 'roulette-1', [
      { type: 'ballSettled', round, pocket: 12, studioTimeMs: settledAt },
    ]);
    expect(pending).toMatchObject({ state: 'RESULT_PENDING', result: { pocket: 12 }, resultStudioMs: settledAt });
    expect(pending.confirmedBy).toBeNull();
    const reading = await read('roulette-1', { pocket: 12 }, settledAt + 40);
    expect(reading.body.round).toMatchObject({ state: 'RESULT_CONFIRMED', confirmedBy: 'vision' });
    await settledOrVoided(pending.roundId);
    dealer.close();
  });

  it('roulette: a deliberately wrong entry (every Nth round) is caught: the round holds', async () => {
    const dealer = dealerOf('roulette-1', 2);
    const first = await playScene(dealer, 'roulette-1', [
      { type: 'ballSettled', round, pocket: 20, studioTimeMs: Date.now() - 9000 },
    ]);
    expect(first.result).toEqual({ pocket: 20 });
    await read('roulette-1', { pocket: 20 }, Date.now() - 8900);
    await settledOrVoided(first.roundId);
    const second = await playScene(dealer, 'roulette-1', [
      { type: 'ballSettled', round, pocket: 36, studioTimeMs: Date.now() - 9000 },
    ]);
    expect(second.result).toEqual({ pocket: 0 });
    const reading = await read('roulette-1', { pocket: 36 }, Date.now() - 8900);
    expect(reading.body.round).toMatchObject({ state: 'RESULT_PENDING', hold: { reason: 'disagreement' } });
    await service.svc.rounds.void(second.roundId, 'test over');
    dealer.close();
  });

  it('baccarat: a wrong entry on request is caught; a right one is confirmed by the whole hand', async () => {
    const dealer = dealerOf('baccarat-1');
    const cards: Card[] = [
      { rank: '3', suit: 'hearts' },
      { rank: '2', suit: 'spades' },
      { rank: '3', suit: 'clubs' },
      { rank: '2', suit: 'diamonds' },
      { rank: 'K', suit: 'hearts' },
    ];
    const positions = ['P1', 'B1', 'P2', 'B2', 'B3'] as const;
    const deal = (t: number): SceneEvent[] => [
      ...cards.map(
        (card, i): SceneEvent => ({ type: 'cardDealt', round, position: positions[i]!, card, studioTimeMs: t + i }),
      ),
      {
        type: 'coupResult',
        round,
        studioTimeMs: t + 10,
        winner: 'player',
        playerTotal: 6,
        bankerTotal: 4,
        playerPair: false,
        bankerPair: false,
      },
    ];
    const t = Date.now() - 9000;
    const right = await playScene(dealer, 'baccarat-1', deal(t));
    expect(right).toMatchObject({ state: 'RESULT_PENDING', result: { cards }, resultStudioMs: t + 10 });
    const whole = await read('baccarat-1', { cards, positions }, t + 20);
    expect(whole.body.round.state).toBe('RESULT_CONFIRMED');
    await settledOrVoided(right.roundId);

    dealer.enterWrongResultNext();
    const t2 = Date.now() - 9000;
    const wrong = await playScene(dealer, 'baccarat-1', deal(t2));
    expect(wrong.result).not.toEqual({ cards });
    const held = await read('baccarat-1', { cards, positions }, t2 + 20);
    expect(held.body.round).toMatchObject({ state: 'RESULT_PENDING', hold: { reason: 'disagreement' } });
    await service.svc.rounds.void(wrong.roundId, 'test over');
    dealer.close();
  });

  it('a table without the vision check: the dealer confirms as before', async () => {
    const dealer = dealerOf('roulette-2');
    const done = await playScene(dealer, 'roulette-2', [
      { type: 'ballSettled', round, pocket: 7, studioTimeMs: Date.now() - 9000 },
    ]);
    const confirmed = await waitFor('the dealer to confirm', async () => {
      const r = await service.svc.rounds.get(done.roundId);
      return r.confirmedBy === 'dealer-roulette-2' ? r : undefined;
    });
    expect(confirmed.result).toEqual({ pocket: 7 });
    dealer.close();
  });
});
