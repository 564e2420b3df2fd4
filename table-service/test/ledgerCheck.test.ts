import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { Ledger } from '../src/Ledger.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';

const execFileAsync = promisify(execFile);
const CLI = fileURLToPath(new URL('../src/cli/ledgerCheck.ts', import.meta.url));

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.close();
});

async function seeded(): Promise<{ db: Database; ledger: Ledger; url: string }> {
  const db = await server.freshDatabase();
  const ledger = await Ledger.create({ pool: db.pool, log: silentLog });
  await ledger.openSystemAccounts('EUR');
  await ledger.openAccount({ id: 'wallet:p1', kind: 'player_wallet', owner: 'p1', currency: 'EUR' });
  await ledger.openAccount({ id: 'escrow:r1', kind: 'round_escrow', owner: 'r1', currency: 'EUR' });
  await ledger.deposit({ id: 'd1', to: 'wallet:p1', amount: 500, currency: 'EUR' });
  await ledger.transfer({ id: 'b1', from: 'wallet:p1', to: 'escrow:r1', amount: 200, currency: 'EUR', kind: 'bet' });
  const { rows } = await db.query<{ name: string }>('SELECT current_database() AS name');
  return { db, ledger, url: server.url(rows[0]!.name) };
}

async function runCli(url: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', CLI, '--json'], {
      env: { ...process.env, DATABASE_URL: url },
    });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

it('passes a sound ledger, from the CLI too', async () => {
  const { db, url } = await seeded();
  const report = await checkLedger(db.pool);
  expect(report).toMatchObject({ ok: true, accounts: 4, transfers: 2, violations: [] });
  expect(report.currencies).toEqual([{ currency: 'EUR', sum: '0', accounts: 4 }]);

  const cli = await runCli(url);
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain('ledger:check OK');
  expect(JSON.parse(cli.stdout.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, transfers: 2 });
});

it('finds a balance changed behind the ledger, a rewritten transfer and a disabled trigger', async () => {
  const { db, url } = await seeded();
  // Only a superuser working around the ledger can do this.
  await db.query(`UPDATE accounts SET balance = balance + 70 WHERE id = 'wallet:p1'`);
  await db.query('ALTER TABLE transfers DISABLE TRIGGER transfers_append_only');
  await db.query(`UPDATE transfers SET amount = 150 WHERE id = 'b1'`);

  const report = await checkLedger(db.pool);
  expect(report.ok).toBe(false);
  const checks = report.violations.map((v) => v.check).sort();
  expect(checks).toEqual([
    'append_only_triggers',
    'balance_matches_transfers',
    'balance_matches_transfers',
    'body_hash',
    'currency_sum',
  ]);
  expect(report.violations.find((v) => v.check === 'body_hash')?.detail).toContain('b1');

  const cli = await runCli(url);
  expect(cli.code).toBe(1);
  expect(cli.stdout).toContain('VIOLATION currency_sum');
});
