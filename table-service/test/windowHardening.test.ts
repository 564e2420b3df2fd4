import { AppError } from '@live-casino/protocol';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BetIntake } from '../src/bets/BetIntake.js';
import { ViewerDelays } from '../src/bets/ViewerDelays.js';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { Ledger } from '../src/Ledger.js';
import { DEFAULT_WINDOW_POLICY, windowRefusal } from '../src/rounds/BettingWindow.js';
import { type RefundedBet, Rounds, walletAccountId } from '../src/rounds/Rounds.js';
import type { TableRules } from '../src/rounds/RoundTypes.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';
import { seedPlayer } from './helpers/players.js';
import { outcomeCode, testTable } from './helpers/tables.js';

const BACCARAT: TableRules = testTable('baccarat');
// A table whose dealer may take 2 s to draw: a reported reveal is what bounds its late bets.
const SLOW_SHOE: TableRules = {
  ...BACCARAT,
  tableId: 'baccarat-2',
  window: { ...DEFAULT_WINDOW_POLICY.baccarat, revealAfterCloseMs: 2000 },
};
const ROULETTE: TableRules = testTable('roulette', {
  // Cancels wait closeMaxLagMs before they commit: short here, so that a thousand rounds fit a test.
  window: { ...DEFAULT_WINDOW_POLICY.roulette, closeMaxLagMs: 30 },
});
const code = (p: Promise<unknown>): Promise<string> => outcomeCode(p);

describe('a betting window no one can stretch (Postgres)', () => {
  let server: TestPostgres;
  let db: Database;
  let ledger: Ledger;
  let rounds: Rounds;
  let delays: ViewerDelays;
  let intake: BetIntake;

  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    db = await server.freshDatabase({ poolMax: 8 });
    ledger = await Ledger.create({ pool: db.pool, log: silentLog });
    rounds = new Rounds(db, ledger, silentLog);
    delays = ViewerDelays.create();
    const tables = new Map([
      [BACCARAT.tableId, BACCARAT],
      [SLOW_SHOE.tableId, SLOW_SHOE],
      [ROULETTE.tableId, ROULETTE],
    ]);
    intake = new BetIntake({ db, rounds, tables, delays, log: silentLog });
  });
  afterEach(async () => {
    await intake.close();
    await ledger.close();
    await db.close();
  });

  const player = (id: string, balance: number): Promise<string> => seedPlayer(db, ledger, id, balance);

  async function betsOf(roundId: string): Promise<Record<string, { status: string; refund_reason: string | null }>> {
    const { rows } = await db.query<{ id: string; status: string; refund_reason: string | null }>(
      'SELECT id, status, refund_reason FROM bets WHERE round_id = $1',
      [roundId],
    );
    return Object.fromEntries(rows.map((r) => [r.id, { status: r.status, refund_reason: r.refund_reason }]));
  }

  it('the SQL rule (bet_window_refusal) and the TypeScript rule (windowRefusal) agree on every input', async () => {
    const cases = fc.sample(
      fc.record({
        frame: fc.option(fc.integer({ min: -3000, max: 3000 }), { nil: undefined }),
        received: fc.integer({ min: -3000, max: 8000 }),
        allowance: fc.option(fc.integer({ min: 0, max: 6000 }), { nil: undefined }),
        close: fc.option(fc.constant(0), { nil: undefined }),
        reveal: fc.option(fc.integer({ min: -500, max: 3000 }), { nil: undefined }),
        minDelay: fc.integer({ min: 0, max: 300 }),
      }),
      { numRuns: 3000, seed: 42 },
    );
    const base = 1_700_000_000_000;
    const at = (v: number | undefined) => (v === undefined ? undefined : base + v);
    const { rows } = await db.query<{ i: number; refusal: string | null }>(
      `SELECT (ord - 1)::int AS i,
              bet_window_refusal((c ->> 'frame')::bigint, (c ->> 'received')::bigint, (c ->> 'allowance')::integer,
                                 (c ->> 'close')::bigint, (c ->> 'reveal')::bigint, (c ->> 'minDelay')::integer) AS refusal
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(c, ord) ORDER BY ord`,
      [
        JSON.stringify(
          cases.map((c) => ({
            frame: at(c.frame) ?? null,
            received: at(c.received),
            allowance: c.allowance ?? null,
            close: at(c.close) ?? null,
            reveal: at(c.reveal) ?? null,
            minDelay: c.minDelay,
          })),
        ),
      ],
    );
    let refused = 0;
    for (const [i, c] of cases.entries()) {
      const ts = windowRefusal(at(c.frame), at(c.received)!, c.allowance, at(c.close), at(c.reveal), c.minDelay);
      expect(rows[i]!.refusal ?? undefined, JSON.stringify(c)).toBe(ts);
      if (ts) refused++;
    }
    // Both kinds of answer were compared, not only one.
    expect(refused).toBeGreaterThan(300);
    expect(cases.length - refused).toBeGreaterThan(300);
  });

  it('with the dealer’s close delayed by 1 s, no bet or cancel whose frame (or arrival) is at or after the close stands', async () => {
    const honest = await player('honest', 10_000);
    const cheat = await player('cheat', 10_000);
    const canceller = await player('canceller', 10_000);
    const refundedEvents: RefundedBet[] = [];
    rounds.on('betsRefunded', ({ bets }) => refundedEvents.push(...bets));
    const round = await rounds.openBetting(BACCARAT, Date.now() - 9000);
    // A WebRTC session of the honest player, measured by the sfu at 80 ms.
    delays.record({
      playerId: honest,
      tableId: BACCARAT.tableId,
      mode: 'webrtc',
      delayMs: 80,
      measuredAtMs: Date.now(),
    });
    delays.record({
      playerId: cheat,
      tableId: BACCARAT.tableId,
      mode: 'webrtc',
      delayMs: 80,
      measuredAtMs: Date.now(),
    });
    const place = (p: string, id: string, extra: { frameStudioMs?: number } = {}) =>
      intake.place(p, { clientBetId: id, roundId: round.roundId, bet: { type: 'banker' }, stake: 100, ...extra });
    // Placed well before the close; the canceller will cancel theirs after it.
    await place(canceller, 'early');
    await place(canceller, 'early2');
    const close = Date.now();
    // The close is taken on the frame at `close`; the dealer's call is on its way for a second.
    await new Promise((r) => setTimeout(r, 20));
    const onTime = await place(honest, 'before', { frameStudioMs: close - 40 }); // clicked before the close, arrives after
    const frameAfter = await place(cheat, 'frame-after', { frameStudioMs: close + 15 }); // the close was on screen
    const noFrame = await place(cheat, 'no-frame'); // server clock: arrived after the close
    expect([onTime.status, frameAfter.status, noFrame.status]).toEqual(['placed', 'placed', 'placed']);
    const lateCancel = intake.cancel(canceller, 'early'); // arrives after the close: must not stand
    await new Promise((r) => setTimeout(r, 1000 - 20));
    const closed = await rounds.closeBetting(round.roundId, close, BACCARAT);
    expect(closed.closesAtStudioMs).toBe(close);
    expect(await code(lateCancel)).toBe('TABLE_BETTING_CLOSED');
    const bets = await betsOf(round.roundId);
    expect(bets[`${honest}:before`]).toEqual({ status: 'placed', refund_reason: null });
    expect(bets[`${cheat}:frame-after`]).toEqual({ status: 'refunded', refund_reason: 'FRAME_AT_OR_AFTER_CLOSE' });
    expect(bets[`${cheat}:no-frame`]).toEqual({ status: 'refunded', refund_reason: 'CLOSED_BY_SERVER_CLOCK' });
    expect(bets[`${canceller}:early`]).toEqual({ status: 'placed', refund_reason: null });
    // The cheat was told at once, and got their money back exactly once.
    expect(refundedEvents.map((b) => [b.betId, b.reason]).sort()).toEqual([
      [`${cheat}:frame-after`, 'FRAME_AT_OR_AFTER_CLOSE'],
      [`${cheat}:no-frame`, 'CLOSED_BY_SERVER_CLOCK'],
    ]);
    expect(await ledger.balance(walletAccountId(cheat))).toBe(10_000);
    // After the close everything is judged at once against it.
    expect(await code(place(cheat, 'later', { frameStudioMs: close - 1 }))).toBe('TABLE_BETTING_CLOSED');
    expect(await code(intake.cancel(canceller, 'early2'))).toBe('TABLE_BETTING_CLOSED');
    expect((await checkLedger(db.pool)).ok).toBe(true);
  });

  it('a cancel that arrived before the close commits once the close is known, and stands', async () => {
    const p = await player('undo', 1000);
    const round = await rounds.openBetting(BACCARAT, Date.now() - 9000);
    await intake.place(p, { clientBetId: 'a', roundId: round.roundId, bet: { type: 'player' }, stake: 100 });
    const cancelled = intake.cancel(p, 'a');
    await new Promise((r) => setTimeout(r, 50));
    await rounds.closeBetting(round.roundId, Date.now(), BACCARAT);
    expect((await cancelled).status).toBe('cancelled');
    expect(await ledger.balance(walletAccountId(p))).toBe(1000);
  });

  it('a reveal reported earlier than the procedure refunds bets that arrived after it plus the least delay', async () => {
    const p = await player('fast', 1000);
    const slowShoe = SLOW_SHOE;
    const round = await rounds.openBetting(slowShoe, Date.now() - 9000);
    delays.record({ playerId: p, tableId: SLOW_SHOE.tableId, mode: 'hls', delayMs: 1500, measuredAtMs: Date.now() });
    const close = Date.now() - 400;
    await rounds.closeBetting(round.roundId, close, slowShoe);
    // Its first card left the shoe at close + 100: the sfu-measured 1.5 s delay no longer counts past it.
    const placed = await intake.place(
      p,
      { clientBetId: 'x', roundId: round.roundId, bet: { type: 'player' }, stake: 100, frameStudioMs: close - 10 },
      close + 350,
    );
    expect(placed.status).toBe('placed');
    const revealed = await rounds.reveal(round.roundId, close + 100, 'dealer', slowShoe);
    expect(revealed.revealsAtStudioMs).toBe(close + 100);
    expect((await betsOf(round.roundId))[`${p}:x`]).toEqual({
      status: 'refunded',
      refund_reason: 'ARRIVED_AFTER_REVEAL',
    });
    // A later report changes nothing; the round log has the REVEALED entry.
    expect((await rounds.reveal(round.roundId, close + 900, 'vision', slowShoe)).revealsAtStudioMs).toBe(close + 100);
    const { rows } = await db.query<{ event: string }>('SELECT event FROM round_log WHERE round_id = $1 ORDER BY seq', [
      round.roundId,
    ]);
    expect(rows.map((r) => r.event)).toEqual(['BETTING_OPEN', 'BETTING_CLOSED', 'REVEALED']);
    expect(await ledger.balance(walletAccountId(p))).toBe(1000);
    expect(
      await code(
        intake.place(
          p,
          { clientBetId: 'y', roundId: round.roundId, bet: { type: 'player' }, stake: 100, frameStudioMs: close - 10 },
          close + 200,
        ),
      ),
    ).toBe('TABLE_BETTING_CLOSED');
  });

  it('1,000 random interleavings of bets, cancels, closes and voids on one round: no 503, no deadlock, money conserved', async () => {
    const players = await Promise.all(Array.from({ length: 6 }, (_, i) => player(`player-${i}`, 1_000_000)));
    const deadlocksBefore = await pgDeadlocks(db);
    const unexpected: string[] = [];
    let placed = 0;
    let cancelled = 0;
    const EXPECTED = new Set(['TABLE_BETTING_CLOSED', 'BET_NOT_FOUND', 'ROUND_WRONG_STATE', 'BET_TABLE_LIMIT']);
    const runs = fc.sample(
      fc.record({
        ops: fc.array(
          fc.oneof(
            {
              weight: 5,
              arbitrary: fc.record({
                kind: fc.constant('bet' as const),
                player: fc.nat(5),
                stake: fc.integer({ min: 1, max: 500 }),
              }),
            },
            {
              weight: 3,
              arbitrary: fc.record({ kind: fc.constant('cancel' as const), player: fc.nat(5), which: fc.nat(7) }),
            },
            {
              weight: 1,
              arbitrary: fc.record({ kind: fc.constant('close' as const), skewMs: fc.integer({ min: -60, max: 20 }) }),
            },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const) }) },
          ),
          { minLength: 4, maxLength: 14 },
        ),
        delaysMs: fc.array(fc.nat(30), { minLength: 14, maxLength: 14 }),
      }),
      { numRuns: 1000, seed: 7 },
    );
    for (const [r, run] of runs.entries()) {
      const round = await rounds.openBetting(ROULETTE, Date.now() - 5000);
      const tasks: Promise<void>[] = [];
      for (const [i, op] of run.ops.entries()) tasks.push(play(op, i));
      async function play(op: (typeof run.ops)[number], i: number): Promise<void> {
        // A cancel goes out once its bet has been answered (a player cancels what they placed).
        if (op.kind === 'cancel' && op.which < i) await tasks[op.which];
        await new Promise((res) => setTimeout(res, run.delaysMs[i] ?? 0));
        try {
          if (op.kind === 'bet') {
            await intake.place(players[op.player]!, {
              clientBetId: `r${r}-${i}`,
              roundId: round.roundId,
              bet: { type: 'red' },
              stake: op.stake,
            });
            placed++;
          } else if (op.kind === 'cancel') {
            // Mostly a bet of this run, by whoever placed it; sometimes a bet that does not exist.
            const target = run.ops[op.which];
            const owner = target?.kind === 'bet' ? target.player : op.player;
            await intake.cancel(players[owner]!, `r${r}-${op.which}`);
            cancelled++;
          } else if (op.kind === 'close') {
            await rounds.closeBetting(round.roundId, Date.now() + op.skewMs, ROULETTE);
          } else {
            await rounds.void(round.roundId, 'interleaving');
          }
        } catch (err) {
          const c = err instanceof AppError ? err.code : String(err);
          if (!EXPECTED.has(c)) unexpected.push(`${op.kind}: ${c} ${(err as Error).message}`);
        }
      }
      await Promise.all(tasks);
      const now = await rounds.get(round.roundId);
      if (now.state !== 'VOIDED') await rounds.void(round.roundId, 'end of run');
    }
    expect(unexpected).toEqual([]);
    expect(placed).toBeGreaterThan(500);
    expect(cancelled).toBeGreaterThan(20);
    const report = await checkLedger(db.pool);
    expect(report.violations).toEqual([]);
    // Every player has their money back: all rounds were voided, each bet refunded or cancelled once.
    for (const p of players) expect(await ledger.balance(walletAccountId(p))).toBe(1_000_000);
    // Nothing had to be retried, and Postgres itself saw no deadlock in this database.
    expect(db.retried).toBe(0);
    await new Promise((r) => setTimeout(r, 1200)); // pg_stat counters are flushed about once a second
    expect(await pgDeadlocks(db)).toBe(deadlocksBefore);
  }, 300_000);
});

async function pgDeadlocks(db: Database): Promise<number> {
  const { rows } = await db.query<{ deadlocks: string }>(
    'SELECT deadlocks::text AS deadlocks FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.deadlocks ?? 0);
}
