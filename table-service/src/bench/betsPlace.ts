/**
 * The bet intake's statement alone: `bets_place` (migration 0040) with batches of `--batch` bets,
 * one connection, back to back, for `--seconds`; bets of `--players` players on `--rounds` open
 * rounds, each player betting on every round in turn (as in bench:bets' saturation phase). Prints
 * µs of statement time per bet and the Postgres backend's CPU per bet, and JSON last. For measuring
 * the SQL of the bet path before and after a change, without sockets or the service in the way.
 *
 *   node --import tsx table-service/src/bench/betsPlace.ts [--seconds 10] [--batch 1000] [--players 10000]
 *
 * EXPERIMENT='SQL;;SQL' runs statements on the scratch database before measuring (to price an index
 * or a constraint by dropping it, say).
 */
import { createHash } from 'node:crypto';
import { readCpuTicks as backendTicks } from '@live-casino/server-kit';
import { pino } from 'pino';
import { checkLedger } from '../cli/ledgerCheck.js';
import { withScratchDatabase } from './scratchDatabase.js';
import { Ledger, transferBodyHash, type TransferRequest } from '../Ledger.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const seconds = arg('seconds', 10);
const batchSize = Math.floor(arg('batch', 1000));
const players = Math.floor(arg('players', 10_000));
const ROUNDS = 2;
const log = pino({ level: 'warn' }, pino.destination(2));

async function main(): Promise<void> {
  await withScratchDatabase('bets_place_bench', log, async (db) => {
    const client = await db.pool.connect();
    let released = false;
    try {
      const ledger = await Ledger.create({ pool: db.pool, log });
      await ledger.openSystemAccounts('EUR');
      await client.query(
        `INSERT INTO players (id, username, password_hash, display_name, currency)
       SELECT 'p' || i, 'bench_' || i, 'x', 'p' || i, 'EUR' FROM generate_series(0, $1 - 1) i`,
        [players],
      );
      await client.query(
        `INSERT INTO accounts (id, kind, owner, currency)
       SELECT 'wallet:p' || i, 'player_wallet', 'p' || i, 'EUR' FROM generate_series(0, $1 - 1) i`,
        [players],
      );
      for (let from = 0; from < players; from += 5000) {
        await ledger.transferMany(
          Array.from({ length: Math.min(5000, players - from) }, (_, k) => ({
            id: `seed-${from + k}`,
            from: Ledger.cashierAccountId('EUR'),
            to: `wallet:p${from + k}`,
            amount: 1_000_000_000,
            currency: 'EUR',
            kind: 'deposit',
          })),
        );
      }
      for (let r = 0; r < ROUNDS; r++) {
        await client.query(
          `INSERT INTO rounds (id, table_id, number, game, currency, state, opens_at_studio_ms)
         VALUES ($1, $2, 1, 'roulette', 'EUR', 'BETTING_OPEN', $3)`,
          [`round-${r}`, `table-${r}`, Date.now()],
        );
        await ledger.openAccount({
          id: `escrow:round-${r}`,
          kind: 'round_escrow',
          owner: `round-${r}`,
          currency: 'EUR',
        });
      }
      if (process.env.EXPERIMENT) for (const sql of process.env.EXPERIMENT.split(';;')) await client.query(sql);
      await client.query('VACUUM ANALYZE');
      const { rows: pidRows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = pidRows[0]!.pid;

      let n = 0;
      const nextBatch = (): [string] => {
        const bets: Record<string, unknown>[] = [];
        for (let k = 0; k < batchSize; k++, n++) {
          const player = `p${n % players}`;
          const roundId = `round-${Math.floor(n / players) % ROUNDS}`;
          const betId = `${player}:b${n}`;
          const stake = 100 + (n % 900);
          const t: TransferRequest = {
            id: `bet:${betId}`,
            from: `wallet:${player}`,
            to: `escrow:${roundId}`,
            amount: stake,
            currency: 'EUR',
            kind: 'bet',
            roundId,
            betId,
          };
          bets.push({
            id: betId,
            round_id: roundId,
            table_id: 'table-0',
            player_id: player,
            spec: { type: 'straight', number: n % 37 },
            stake,
            currency: 'EUR',
            body_hash: createHash('sha256').update(betId).digest('hex'),
            frame_studio_ms: null,
            received_at_ms: Date.now(),
            window_basis: 'server-clock',
            allowance_ms: null,
            max_player_stake: 1_000_000_000,
            transfer_id: t.id,
            wallet: t.from,
            escrow: t.to,
            transfer_hash: transferBodyHash(t),
          });
        }
        return [JSON.stringify(bets)];
      };

      // Warm-up, then the measured run.
      for (let i = 0; i < 3; i++) await client.query('SELECT bets_place($1::jsonb) AS r', nextBatch());
      const ticks0 = await backendTicks(pid);
      let bets = 0;
      let statementMs = 0;
      let failed = 0;
      const until = Date.now() + seconds * 1000;
      const started = performance.now();
      while (Date.now() < until) {
        const params = nextBatch();
        const t0 = performance.now();
        const { rows } = await client.query<{ r: { status: string }[] }>('SELECT bets_place($1::jsonb) AS r', params);
        statementMs += performance.now() - t0;
        const committed = rows[0]!.r.filter((r) => r.status === 'committed').length;
        bets += committed;
        failed += batchSize - committed;
      }
      const wallMs = performance.now() - started;
      const cpuMs = ((await backendTicks(pid)) - ticks0) * 10;
      client.release();
      released = true;
      const check = await checkLedger(db.pool);
      const result = {
        batch: batchSize,
        players,
        bets,
        failed,
        bets_per_s: Math.round(bets / (wallMs / 1000)),
        statement_us_per_bet: Number(((statementMs * 1000) / bets).toFixed(1)),
        backend_cpu_us_per_bet: Number(((cpuMs * 1000) / bets).toFixed(1)),
        ledger_check_ok: check.ok,
        embedded: db.embedded,
      };
      console.error(
        `bets_place, ${batchSize} bets per call: ${result.bets_per_s} bets/s, ${result.statement_us_per_bet} µs a bet in the statement, ` +
          `${result.backend_cpu_us_per_bet} µs of backend CPU a bet; ledger:check ${check.ok ? 'OK' : 'FAILED'}`,
      );
      console.log(JSON.stringify(result));
    } finally {
      if (!released) client.release(true);
    }
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
