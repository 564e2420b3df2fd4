import { pino } from 'pino';
import { checkLedger } from '../cli/ledgerCheck.js';
import { withScratchDatabase } from './scratchDatabase.js';
import { Ledger, type TransferRequest } from '../Ledger.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const seconds = arg('seconds', 5);
const batchSize = Math.floor(arg('batch', 100));
const PLAYERS = 2000;
const ROUNDS = 8;
const log = pino({ level: 'warn' }, pino.destination(2));

/** Runs `step` back to back for `ms` (after a short warm-up); returns how many units per second it did. */
async function rate(ms: number, step: () => Promise<number>): Promise<number> {
  const warmUntil = Date.now() + Math.min(500, ms / 4);
  while (Date.now() < warmUntil) await step();
  let units = 0;
  const start = process.hrtime.bigint();
  const until = Date.now() + ms;
  while (Date.now() < until) units += await step();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return units / elapsed;
}

async function main(): Promise<void> {
  await withScratchDatabase('ledger_bench', log, async (db) => {
    const client = await db.pool.connect();
    let released = false;
    try {
      const settings = await client.query<{ name: string; setting: string }>(
        `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'server_version', 'wal_sync_method')`,
      );
      const setting = (name: string) => settings.rows.find((r) => r.name === name)?.setting;
      if (setting('synchronous_commit') !== 'on' || setting('fsync') !== 'on') {
        console.error('warning: commits are not durable on this server (synchronous_commit/fsync off)');
      }

      await client.query('CREATE TABLE bench_commit (id bigserial PRIMARY KEY, payload text NOT NULL)');
      const payload = 'x'.repeat(64);
      const pgCommitPerS = await rate(seconds * 1000, async () => {
        await client.query('INSERT INTO bench_commit (payload) VALUES ($1)', [payload]);
        return 1;
      });
      console.error(`single-row durable commits: ${pgCommitPerS.toFixed(0)}/s`);

      const ledger = await Ledger.create({ pool: db.pool, log });
      await ledger.openSystemAccounts('EUR');
      const wallets: string[] = [];
      for (let i = 0; i < PLAYERS; i++) {
        const id = `wallet:bench-${i}`;
        await ledger.openAccount({ id, kind: 'player_wallet', owner: `bench-${i}`, currency: 'EUR' });
        wallets.push(id);
      }
      await ledger.transferMany(
        wallets.map((to, i) => ({
          id: `seed-${i}`,
          from: Ledger.cashierAccountId('EUR'),
          to,
          amount: 1_000_000_000,
          currency: 'EUR',
          kind: 'deposit',
        })),
      );
      const escrows: string[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const id = `escrow:bench-round-${r}`;
        await ledger.openAccount({ id, kind: 'round_escrow', owner: `bench-round-${r}`, currency: 'EUR' });
        escrows.push(id);
      }

      let n = 0;
      const nextBet = (): TransferRequest => {
        n++;
        const round = escrows[n % ROUNDS]!;
        return {
          id: `bench-bet-${n}`,
          from: wallets[(n * 7919) % PLAYERS]!,
          to: round,
          amount: 100 + (n % 900),
          currency: 'EUR',
          kind: 'bet',
          roundId: round.slice('escrow:'.length),
          betId: `bench-bet-${n}`,
        };
      };

      const transferPerS = await rate(Math.min(seconds, 3) * 1000, async () => {
        await ledger.transfer(nextBet(), client);
        return 1;
      });
      console.error(`Ledger.transfer, one bet per commit: ${transferPerS.toFixed(0)}/s`);

      let refused = 0;
      const betsPerS = await rate(seconds * 1000, async () => {
        const results = await ledger.placeBatch(Array.from({ length: batchSize }, nextBet), client);
        const ok = results.filter((r) => r.ok).length;
        refused += results.length - ok;
        return ok;
      });
      console.error(`Ledger.placeBatch, ${batchSize} bets per commit: ${betsPerS.toFixed(0)} bets/s`);

      client.release();
      released = true;
      const report = await checkLedger(db.pool);
      console.error(`ledger:check ${report.ok ? 'OK' : 'FAILED'} over ${report.transfers} transfers`);

      console.log(
        JSON.stringify({
          pg_commit_per_s: Math.round(pgCommitPerS),
          transfer_per_s: Math.round(transferPerS),
          bets_per_s: Math.round(betsPerS),
          ratio: Number((betsPerS / pgCommitPerS).toFixed(2)),
          batch: batchSize,
          seconds,
          refused,
          ledger_check_ok: report.ok,
          server_version: setting('server_version'),
          synchronous_commit: setting('synchronous_commit'),
          fsync: setting('fsync'),
          wal_sync_method: setting('wal_sync_method'),
          embedded: db.embedded,
        }),
      );
    } finally {
      if (!released) client.release(true);
    }
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
