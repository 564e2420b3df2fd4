import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BetIntake, MAX_IN_FLIGHT } from '../src/bets/BetIntake.js';
import { ViewerDelays } from '../src/bets/ViewerDelays.js';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { ROULETTE_BET_TYPES } from '../src/games/index.js';
import { Ledger } from '../src/Ledger.js';
import { escrowAccountId, Rounds, walletAccountId } from '../src/rounds/Rounds.js';
import type { TableRules } from '../src/rounds/RoundTypes.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';
import { waitFor } from '@live-casino/testing';
import { seedPlayer } from './helpers/players.js';
import { outcomeCode, testTable } from './helpers/tables.js';

const CAP = 1000;
const TABLE: TableRules = testTable('roulette', {
  limits: Object.fromEntries(ROULETTE_BET_TYPES.map((t) => [t, { min: 10, max: 100_000 }])),
  maxPlayerStakePerRound: CAP,
});

/** Issue 16: bets reach Postgres in batches, one round trip each, and the cap holds there. */
describe('bet batches (Postgres)', () => {
  let server: TestPostgres;
  let db: Database;
  let ledger: Ledger;
  const nodes: { rounds: Rounds; intake: BetIntake }[] = [];

  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(async () => {
    db = await server.freshDatabase({ poolMax: 8 });
    ledger = await Ledger.create({ pool: db.pool, log: silentLog });
    await ledger.openSystemAccounts('EUR');
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.intake.close();
    await ledger.close();
    await db.close();
  });

  /** A node of the cluster as far as bets go: its own Rounds and BetIntake (own queue, own batch in flight). */
  function node(): { rounds: Rounds; intake: BetIntake } {
    const rounds = new Rounds(db, ledger, silentLog);
    const intake = new BetIntake({
      db,
      rounds,
      tables: new Map([[TABLE.tableId, TABLE]]),
      delays: ViewerDelays.create(),
      log: silentLog,
    });
    const n = { rounds, intake };
    nodes.push(n);
    return n;
  }

  async function players(count: number, balance: number): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, i) => `player${i}`);
    for (const id of ids) await seedPlayer(db, ledger, id, balance);
    return ids;
  }

  const outcome = (p: Promise<unknown>): Promise<string> => outcomeCode(p, 'placed');

  it('two nodes placing at once: no player goes past the cap on a round, and every bet within it is taken', async () => {
    const a = node();
    const b = node();
    const ids = await players(20, 1_000_000);
    const round = await a.rounds.openBetting(TABLE, Date.now() - 1000);
    // Each player sends 30 bets of 100 (three times the cap), alternately through either node, in
    // waves so that both nodes have batches in flight together.
    const results: { player: string; code: string }[] = [];
    for (let wave = 0; wave < 5; wave++) {
      const sent = ids.flatMap((player) =>
        Array.from({ length: 6 }, (_, i) => {
          const via = (i + wave) % 2 === 0 ? a : b;
          const clientBetId = `w${wave}-${i}`;
          return outcome(
            via.intake.place(player, { clientBetId, roundId: round.roundId, bet: { type: 'red' }, stake: 100 }),
          ).then((code) => results.push({ player, code }));
        }),
      );
      await Promise.all(sent);
    }
    const codes = new Set(results.map((r) => r.code));
    expect([...codes].sort()).toEqual(['BET_TABLE_LIMIT', 'placed']);
    for (const player of ids) {
      expect(results.filter((r) => r.player === player && r.code === 'placed')).toHaveLength(CAP / 100);
    }
    const { rows } = await db.query<{ player_id: string; total: number }>(
      "SELECT player_id, sum(stake)::bigint AS total FROM bets WHERE round_id = $1 AND status = 'placed' GROUP BY 1",
      [round.roundId],
    );
    expect(rows).toHaveLength(ids.length);
    for (const row of rows) expect(row.total).toBe(CAP);
    expect(await ledger.balance(escrowAccountId(round.roundId))).toBe(ids.length * CAP);
    expect((await checkLedger(db.pool)).ok).toBe(true);
  });

  it('a retry of a bet whose batch is still in Postgres is answered as that bet, not refused at the cap', async () => {
    const { rounds, intake } = node();
    const [p] = await players(1, 1_000_000);
    const round = await rounds.openBetting(TABLE, Date.now() - 1000);
    const place = () =>
      intake.place(p!, { clientBetId: 'x', roundId: round.roundId, bet: { type: 'red' }, stake: 600 });
    // The player's wallet is held, so the first batch stops in Postgres after it has taken the
    // round's escrow; the retry goes as the second batch in flight and queues behind it.
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [walletAccountId(p!)]);
      const first = place();
      await waitFor('the first batch to wait for the wallet', () => blockedBatches(1));
      const retry = place();
      await waitFor('the retry to wait behind it', () => blockedBatches(2));
      await holder.query('COMMIT');
      const [a, b] = await Promise.all([first, retry]);
      expect(a.status).toBe('placed');
      // 600 + 600 is past the cap of 1,000: judged as a new bet, the retry would be refused.
      expect(b.betId).toBe(a.betId);
    } finally {
      holder.release();
    }
    expect(await ledger.balance(escrowAccountId(round.roundId))).toBe(600);
  });

  async function blockedBatches(n: number): Promise<true | undefined> {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%bets_place(%'`,
    );
    return rows[0]!.n >= n ? true : undefined;
  }

  it('at the cap, a retry of a bet taken answers as that bet; a cancel makes room again', async () => {
    const { rounds, intake } = node();
    const [p] = await players(1, 1_000_000);
    const round = await rounds.openBetting(TABLE, Date.now() - 1000);
    const place = (clientBetId: string, stake: number) =>
      intake.place(p!, { clientBetId, roundId: round.roundId, bet: { type: 'black' }, stake });
    const first = await place('a', 600);
    await place('b', 400);
    expect(await outcome(place('c', 10))).toBe('BET_TABLE_LIMIT');
    const again = await place('a', 600);
    expect(again.betId).toBe(first.betId);
    expect(again.balance).toBeUndefined();
    expect(await outcome(place('a', 500))).toBe('BET_IDEMPOTENCY_CONFLICT');
    await intake.cancel(p!, 'b');
    expect(await outcome(place('d', 400))).toBe('placed');
    expect(await outcome(place('e', 10))).toBe('BET_TABLE_LIMIT');
  });

  it('200 players betting at once cost at most three round trips to Postgres, each one bets_place', async () => {
    const { rounds, intake } = node();
    const ids = await players(200, 1_000_000);
    const round = await rounds.openBetting(TABLE, Date.now() - 1000);
    const statements: string[] = [];
    let checkouts = 0;
    const pool = db.pool;
    const query = pool.query.bind(pool);
    const connect = pool.connect.bind(pool);
    Object.assign(pool, {
      query: (...args: Parameters<typeof pool.query>) => {
        statements.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text));
        return (query as (...a: unknown[]) => unknown)(...args);
      },
      connect: (...args: unknown[]) => {
        checkouts++;
        return (connect as (...a: unknown[]) => unknown)(...args);
      },
    });
    try {
      const placed = await Promise.all(
        ids.map((player) =>
          intake.place(player, { clientBetId: 'x', roundId: round.roundId, bet: { type: 'even' }, stake: 100 }),
        ),
      );
      expect(placed.every((bet) => bet.status === 'placed')).toBe(true);
    } finally {
      Object.assign(pool, { query, connect });
    }
    // The first bets go alone, as many as may be in flight at once; the rest, which queued
    // meanwhile, go together.
    expect(MAX_IN_FLIGHT).toBe(2);
    expect(statements.length).toBeLessThanOrEqual(MAX_IN_FLIGHT + 1);
    expect(statements.every((s) => s.includes('bets_place('))).toBe(true);
    // pg-pool checks a connection out for each query: no other checkout, so no transaction either.
    expect(checkouts).toBe(statements.length);
  });
});
