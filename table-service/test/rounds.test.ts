import { AppError } from '@live-casino/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BetIntake } from '../src/bets/BetIntake.js';
import { ViewerDelays } from '../src/bets/ViewerDelays.js';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { ROULETTE_BET_TYPES } from '../src/games/index.js';
import { Ledger } from '../src/Ledger.js';
import { DEFAULT_WINDOW_POLICY } from '../src/rounds/BettingWindow.js';
import { verifyRoundLog } from '../src/rounds/RoundLog.js';
import { Rounds, walletAccountId } from '../src/rounds/Rounds.js';
import type { TableRules } from '../src/rounds/RoundTypes.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';
import { seedPlayer } from './helpers/players.js';
import { outcomeCode, testTable } from './helpers/tables.js';

const ROULETTE: TableRules = testTable('roulette', {
  limits: Object.fromEntries(ROULETTE_BET_TYPES.map((t) => [t, { min: 10, max: 100_000 }])),
  maxPlayerStakePerRound: 1_000_000,
  // A wheel whose outcome shows 2.5 s after the close: room for late bets to test.
  window: { ...DEFAULT_WINDOW_POLICY.roulette, revealAfterCloseMs: 2500 },
});
const code = (p: Promise<unknown>): Promise<string> => outcomeCode(p);

describe('rounds, bets and settlement', () => {
  let server: TestPostgres;
  let db: Database;
  let ledger: Ledger;
  let rounds: Rounds;
  let intake: BetIntake;
  let delays: ViewerDelays;

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
    intake = new BetIntake({ db, rounds, tables: new Map([[ROULETTE.tableId, ROULETTE]]), delays, log: silentLog });
  });
  afterEach(async () => {
    await intake.close();
    await ledger.close();
    await db.close();
  });

  const player = (id: string, balance: number): Promise<string> => seedPlayer(db, ledger, id, balance);

  it('50 concurrent bets whose sum exceeds the balance: exactly the affordable ones succeed', async () => {
    const p = await player('alice', 1000);
    const round = await rounds.openBetting(ROULETTE, Date.now() - 1000);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        intake.place(p, { clientBetId: `b${i}`, roundId: round.roundId, bet: { type: 'red' }, stake: 30 }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(ok).toHaveLength(33); // 33 × 30 = 990 ≤ 1000 < 34 × 30
    expect(refused.every((r) => r.reason instanceof AppError && r.reason.code === 'WALLET_INSUFFICIENT_FUNDS')).toBe(
      true,
    );
    expect(await ledger.balance(walletAccountId(p))).toBe(10);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM bets WHERE status = 'placed'");
    expect(rows[0]!.n).toBe(33);
    expect((await checkLedger(db.pool)).ok).toBe(true);
  });

  it('the same bet id sent 20 times concurrently: one bet, one debit', async () => {
    const p = await player('bob', 1000);
    const round = await rounds.openBetting(ROULETTE, Date.now() - 1000);
    const req = { clientBetId: 'same', roundId: round.roundId, bet: { type: 'straight', numbers: [17] }, stake: 100 };
    const results = await Promise.all(Array.from({ length: 20 }, () => intake.place(p, req)));
    expect(new Set(results.map((r) => r.betId)).size).toBe(1);
    expect(await ledger.balance(walletAccountId(p))).toBe(900);
    const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM transfers WHERE kind = 'bet'");
    expect(rows[0]!.n).toBe(1);
    // The same id with another body is refused and changes nothing.
    expect(await code(intake.place(p, { ...req, stake: 200 }))).toBe('BET_IDEMPOTENCY_CONFLICT');
    expect(await code(intake.place(p, { ...req, bet: { type: 'straight', numbers: [18] } }))).toBe(
      'BET_IDEMPOTENCY_CONFLICT',
    );
    expect(await ledger.balance(walletAccountId(p))).toBe(900);
  });

  it('refuses invalid bets and stakes out of limits with typed errors, changing nothing', async () => {
    const p = await player('carol', 1000);
    const round = await rounds.openBetting(ROULETTE, Date.now() - 1000);
    const place = (bet: unknown, stake: number) =>
      intake.place(p, { clientBetId: `x${Math.random()}`, roundId: round.roundId, bet, stake });
    expect(await code(place({ type: 'split', numbers: [1, 5] }, 50))).toBe('BET_INVALID');
    expect(await code(place({ type: 'red' }, 5))).toBe('BET_LIMIT_BELOW_MIN');
    expect(await code(place({ type: 'red' }, 100_001))).toBe('BET_LIMIT_ABOVE_MAX');
    expect(await code(place({ type: 'red' }, 10.5))).toBe('BET_INVALID');
    expect(await code(intake.place(p, { clientBetId: 'y', roundId: 'r_nope', bet: { type: 'red' }, stake: 10 }))).toBe(
      'ROUND_NOT_FOUND',
    );
    expect(await ledger.balance(walletAccountId(p))).toBe(1000);
  });

  it('settles a round exactly once: wins paid from escrow and house, losses to the house', async () => {
    const a = await player('dave', 1000);
    const b = await player('erin', 1000);
    const round = await rounds.openBetting(ROULETTE, Date.now() - 10_000);
    await intake.place(a, {
      clientBetId: '1',
      roundId: round.roundId,
      bet: { type: 'straight', numbers: [17] },
      stake: 100,
    });
    await intake.place(a, { clientBetId: '2', roundId: round.roundId, bet: { type: 'black' }, stake: 50 });
    await intake.place(b, { clientBetId: '1', roundId: round.roundId, bet: { type: 'red' }, stake: 200 });
    await rounds.closeBetting(round.roundId, Date.now(), ROULETTE);
    await rounds.submitResult(round.roundId, { pocket: 17 }, 'dealer'); // 17 is black
    await rounds.confirmResult(round.roundId, 'dealer-1');
    const settled = await rounds.settle(round.roundId, Date.now() + 10_000);
    expect(settled.state).toBe('SETTLED');
    // dave: -150 + 3600 (straight: 100 + 3500) + 100 (black: 50 + 50) = 1000 - 150 + 3700 = 4550
    expect(await ledger.balance(walletAccountId(a))).toBe(4550);
    expect(await ledger.balance(walletAccountId(b))).toBe(800);
    // Again: nothing moves twice.
    expect((await rounds.settle(round.roundId)).state).toBe('SETTLED');
    expect(await ledger.balance(walletAccountId(a))).toBe(4550);
    expect(await code(rounds.void(round.roundId, 'too late'))).toBe('ROUND_WRONG_STATE');
    const check = await checkLedger(db.pool);
    expect(check.ok).toBe(true);
    expect((await verifyRoundLog(db.pool)).problems).toEqual([]);
  });

  it('voids and refunds every bet once, from any unsettled state; no bet enters afterwards', async () => {
    const a = await player('fred', 1000);
    const round = await rounds.openBetting(ROULETTE, Date.now() - 1000);
    await intake.place(a, { clientBetId: '1', roundId: round.roundId, bet: { type: 'odd' }, stake: 300 });
    await rounds.void(round.roundId, 'wheel malfunction');
    await rounds.void(round.roundId, 'wheel malfunction');
    expect(await ledger.balance(walletAccountId(a))).toBe(1000);
    expect(
      await code(intake.place(a, { clientBetId: '2', roundId: round.roundId, bet: { type: 'odd' }, stake: 10 })),
    ).toBe('TABLE_BETTING_CLOSED');
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM transfers WHERE kind = 'void_refund'",
    );
    expect(rows[0]!.n).toBe(1);
    expect((await checkLedger(db.pool)).ok).toBe(true);
  });

  it('cancels a bet while betting is open, and not after', async () => {
    const a = await player('gina', 1000);
    const round = await rounds.openBetting(ROULETTE, Date.now() - 1000);
    await intake.place(a, { clientBetId: '1', roundId: round.roundId, bet: { type: 'low' }, stake: 100 });
    await intake.place(a, { clientBetId: '2', roundId: round.roundId, bet: { type: 'high' }, stake: 100 });
    expect((await intake.cancel(a, '1')).status).toBe('cancelled');
    expect((await intake.cancel(a, '1')).status).toBe('cancelled');
    expect(await ledger.balance(walletAccountId(a))).toBe(900);
    await rounds.closeBetting(round.roundId, Date.now(), ROULETTE);
    expect(await code(intake.cancel(a, '2'))).toBe('TABLE_BETTING_CLOSED');
    expect(await code(intake.cancel(a, 'nope'))).toBe('BET_NOT_FOUND');
  });

  it('takes late bets on frames before the close within the player delay, and refuses frames after it', async () => {
    const a = await player('hugo', 1000);
    const opened = Date.now() - 20_000;
    const round = await rounds.openBetting(ROULETTE, opened);
    const close = Date.now() - 500;
    await rounds.closeBetting(round.roundId, close, ROULETTE);
    // The sfu measured this player's HLS session at 2 s.
    delays.record({ playerId: a, tableId: ROULETTE.tableId, mode: 'hls', delayMs: 2000, measuredAtMs: close + 1800 });
    // Frame shown 100 ms before the close, clicked just now (2 s delay): accepted.
    const late = await intake.place(
      a,
      { clientBetId: 'late', roundId: round.roundId, bet: { type: 'red' }, stake: 10, frameStudioMs: close - 100 },
      close + 1900,
    );
    expect(late.windowBasis).toBe('video');
    // A frame at the close: refused.
    expect(
      await code(
        intake.place(
          a,
          { clientBetId: 'after', roundId: round.roundId, bet: { type: 'red' }, stake: 10, frameStudioMs: close },
          close + 1900,
        ),
      ),
    ).toBe('TABLE_BETTING_CLOSED');
    // Without a frame time, the server clock decides: closed.
    expect(
      await code(intake.place(a, { clientBetId: 'noframe', roundId: round.roundId, bet: { type: 'red' }, stake: 10 })),
    ).toBe('TABLE_BETTING_CLOSED');
    // Settling closes the escrow: no bet after that, even one the window would take.
    await rounds.submitResult(round.roundId, { pocket: 1 }, 'dealer');
    await rounds.confirmResult(round.roundId, 'dealer-1');
    expect(await code(rounds.settle(round.roundId, close))).toBe('ROUND_WRONG_STATE'); // late bets still allowed
    await rounds.settle(round.roundId, close + 10_000);
    expect(await ledger.balance(walletAccountId(a))).toBe(1010);
  });

  it('one round in play per table', async () => {
    await rounds.openBetting(ROULETTE, Date.now());
    expect(await code(rounds.openBetting(ROULETTE, Date.now()))).toBe('TABLE_BUSY');
  });
});

describe('ledger:check sees a tampered round log', () => {
  it('reports a changed entry', async () => {
    const server = await startTestPostgres();
    const db = await server.freshDatabase({ poolMax: 2 });
    try {
      const ledger = await Ledger.create({ pool: db.pool, log: silentLog });
      const rounds = new Rounds(db, ledger, silentLog);
      const round = await rounds.openBetting(ROULETTE, Date.now());
      await rounds.void(round.roundId, 'test');
      expect((await checkLedger(db.pool)).ok).toBe(true);
      // Bypass the append-only trigger as a superuser could, and rewrite history.
      await db.query('ALTER TABLE round_log DISABLE TRIGGER round_log_append_only');
      await db.query(`UPDATE round_log SET entry = jsonb_set(entry, '{reason}', '"nothing happened"') WHERE seq = 2`);
      await db.query('ALTER TABLE round_log ENABLE TRIGGER round_log_append_only');
      const report = await checkLedger(db.pool);
      expect(report.ok).toBe(false);
      expect(report.violations.map((v) => v.check)).toContain('round_log_chain');
      await ledger.close();
    } finally {
      await db.close();
      await server.close();
    }
  });
});

describe('table limits and rebet', () => {
  let server: TestPostgres;
  let db: Database;
  let ledger: Ledger;
  let rounds: Rounds;
  let intake: BetIntake;
  const CAPPED: TableRules = { ...ROULETTE, maxPlayerStakePerRound: 500 };

  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    db = await server.freshDatabase({ poolMax: 4 });
    ledger = await Ledger.create({ pool: db.pool, log: silentLog });
    rounds = new Rounds(db, ledger, silentLog);
    intake = new BetIntake({
      db,
      rounds,
      tables: new Map([[CAPPED.tableId, CAPPED]]),
      delays: ViewerDelays.create(),
      log: silentLog,
    });
    await seedPlayer(db, ledger, 'ivy', 100_000);
  });
  afterEach(async () => {
    await intake.close();
    await ledger.close();
    await db.close();
  });

  it('caps what one player stakes on one round, concurrent bets included; cancels free room', async () => {
    const round = await rounds.openBetting(CAPPED, Date.now() - 1000);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        intake.place('ivy', { clientBetId: `c${i}`, roundId: round.roundId, bet: { type: 'red' }, stake: 100 }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(
      (results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]).every(
        (r) => r.reason instanceof AppError && r.reason.code === 'BET_TABLE_LIMIT',
      ),
    ).toBe(true);
    const placed = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ clientBetId: string }>)
      .value;
    await intake.cancel('ivy', placed.clientBetId);
    expect(
      (
        await intake.place('ivy', {
          clientBetId: 'after-cancel',
          roundId: round.roundId,
          bet: { type: 'odd' },
          stake: 100,
        })
      ).status,
    ).toBe('placed');
    // A fresh intake (another node, a restart) starts from what the database holds.
    const other = new BetIntake({
      db,
      rounds,
      tables: new Map([[CAPPED.tableId, CAPPED]]),
      delays: ViewerDelays.create(),
      log: silentLog,
    });
    expect(
      await code(other.place('ivy', { clientBetId: 'x', roundId: round.roundId, bet: { type: 'odd' }, stake: 100 })),
    ).toBe('BET_TABLE_LIMIT');
    await other.close();
  });

  it('rebet repeats the last settled round at the table', async () => {
    const first = await rounds.openBetting(CAPPED, Date.now() - 20_000);
    await intake.place('ivy', {
      clientBetId: 'a',
      roundId: first.roundId,
      bet: { type: 'straight', numbers: [7] },
      stake: 50,
    });
    await intake.place('ivy', {
      clientBetId: 'b',
      roundId: first.roundId,
      bet: { type: 'dozen', dozen: 1 },
      stake: 200,
    });
    await rounds.closeBetting(first.roundId, Date.now(), CAPPED);
    await rounds.submitResult(first.roundId, { pocket: 30 }, 'dealer');
    await rounds.confirmResult(first.roundId, 'dealer');
    await rounds.settle(first.roundId, Date.now() + 10_000);
    const second = await rounds.openBetting(CAPPED, Date.now() - 1000);
    expect(await code(intake.rebet('nobody', second.roundId, 'rb'))).toBe('BET_NOT_FOUND');
    const { placed, refused } = await intake.rebet('ivy', second.roundId, 'rb');
    expect(placed.map((b) => [b.bet, b.stake])).toEqual([
      [{ type: 'straight', numbers: [7] }, 50],
      [{ type: 'dozen', dozen: 1 }, 200],
    ]);
    expect(refused).toEqual([]);
    // Rebet again with the same prefix: the same bets, not new ones.
    expect((await intake.rebet('ivy', second.roundId, 'rb')).placed.map((b) => b.betId)).toEqual(
      placed.map((b) => b.betId),
    );
    expect(await ledger.balance(walletAccountId('ivy'))).toBe(100_000 - 250 - 250);
  });

  it('table limits from the configuration are checked at boot', async () => {
    const { loadConfig } = await import('../src/config.js');
    const base = { STREAM_TOKEN_PRIVATE_KEY: 'k', STUDIO_SERVICE_SECRET: 'x'.repeat(32) };
    expect(() =>
      loadConfig({
        ...base,
        TABLES: JSON.stringify([
          { tableId: 't1', name: 'T', game: 'roulette', limits: { banker: { min: 1, max: 2 } } },
        ]),
      }),
    ).toThrow(/roulette has no bet type banker/);
    expect(() =>
      loadConfig({
        ...base,
        TABLES: JSON.stringify([{ tableId: 't1', name: 'T', game: 'roulette', limits: { red: { min: 9, max: 2 } } }]),
      }),
    ).toThrow(/TABLES t1/);
    const ok = loadConfig({
      ...base,
      TABLES: JSON.stringify([{ tableId: 't1', name: 'T', game: 'baccarat', limits: { tie: { min: 5, max: 20 } } }]),
    });
    expect(ok.tables[0]!.limits).toEqual({ tie: { min: 5, max: 20 } });
  });
});
