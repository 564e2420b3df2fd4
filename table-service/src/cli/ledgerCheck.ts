import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { pino } from 'pino';
import { Database } from '../db/Database.js';
import { type TransferKind, transferBodyHash } from '../Ledger.js';
import { verifyRoundLog } from '../rounds/RoundLog.js';

export interface LedgerViolation {
  check:
    | 'currency_sum'
    | 'balance_matches_transfers'
    | 'non_negative'
    | 'transfer_currency'
    | 'body_hash'
    | 'append_only_triggers'
    | 'round_log_chain';
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  checkedAt: string;
  accounts: number;
  transfers: number;
  /** Sum of balances per currency: zero in a sound ledger. */
  currencies: { currency: string; sum: string; accounts: number }[];
  violations: LedgerViolation[];
}

const MAX_LISTED = 100;
const PAGE = 5000;
const EXPECTED_TRIGGERS = [
  'transfers_append_only',
  'transfers_no_truncate',
  'accounts_no_delete',
  'accounts_no_truncate',
  'accounts_identity_fixed',
];

/**
 * Audits the ledger from one consistent snapshot (REPEATABLE READ, read-only), so it can run against
 * a live system: sums per currency are zero, every balance equals the sum of its transfers in minus
 * out, no player wallet or escrow is negative, every transfer's currency is its accounts', every
 * body hash is a sha256 of that transfer's own fields, the append-only triggers are enabled, and
 * the round log's hash chain is whole.
 */
export async function checkLedger(pool: pg.Pool): Promise<LedgerReport> {
  const client = await pool.connect();
  const violations: LedgerViolation[] = [];
  const add = (check: LedgerViolation['check'], detail: string) => {
    if (violations.filter((v) => v.check === check).length < MAX_LISTED) violations.push({ check, detail });
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');

    // Sums as text: a sum of bigints is numeric and may exceed 2^53 in a broken ledger.
    const sums = await client.query<{ currency: string; sum: string; accounts: number }>(
      `SELECT currency, sum(balance)::text AS sum, count(*)::int AS accounts FROM accounts GROUP BY currency ORDER BY currency`,
    );
    for (const row of sums.rows) {
      if (row.sum !== '0') add('currency_sum', `balances in ${row.currency} sum to ${row.sum}, not 0`);
    }

    const drift = await client.query<{ id: string; balance: string; expected: string }>(
      `WITH flows AS (
         SELECT from_account AS account, -sum(amount) AS delta FROM transfers GROUP BY from_account
         UNION ALL
         SELECT to_account, sum(amount) FROM transfers GROUP BY to_account
       ), expected AS (SELECT account, sum(delta) AS balance FROM flows GROUP BY account)
       SELECT a.id, a.balance::text AS balance, coalesce(e.balance, 0)::text AS expected
         FROM accounts a LEFT JOIN expected e ON e.account = a.id
        WHERE a.balance <> coalesce(e.balance, 0)
        ORDER BY a.id`,
    );
    for (const row of drift.rows) {
      add('balance_matches_transfers', `account ${row.id} holds ${row.balance} but its transfers make ${row.expected}`);
    }

    const negative = await client.query<{ id: string; kind: string; balance: string }>(
      `SELECT id, kind, balance::text AS balance FROM accounts
        WHERE kind IN ('player_wallet', 'round_escrow') AND balance < 0 ORDER BY id`,
    );
    for (const row of negative.rows) add('non_negative', `${row.kind} ${row.id} is at ${row.balance}`);

    const currency = await client.query<{ id: string; currency: string; from_currency: string; to_currency: string }>(
      `SELECT t.id, t.currency, f.currency AS from_currency, d.currency AS to_currency
         FROM transfers t
         JOIN accounts f ON f.id = t.from_account
         JOIN accounts d ON d.id = t.to_account
        WHERE t.currency <> f.currency OR t.currency <> d.currency`,
    );
    for (const row of currency.rows) {
      add(
        'transfer_currency',
        `transfer ${row.id} in ${row.currency} between ${row.from_currency} and ${row.to_currency}`,
      );
    }

    let transfers = 0;
    let after = '';
    for (;;) {
      const page = await client.query<{
        id: string;
        from_account: string;
        to_account: string;
        amount: string;
        currency: string;
        kind: string;
        round_id: string | null;
        bet_id: string | null;
        body_hash: string;
      }>(
        `SELECT id, from_account, to_account, amount::text AS amount, currency, kind, round_id, bet_id, body_hash
           FROM transfers WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, PAGE],
      );
      for (const t of page.rows) {
        const expected = transferBodyHash({
          id: t.id,
          from: t.from_account,
          to: t.to_account,
          amount: Number(t.amount),
          currency: t.currency,
          kind: t.kind as TransferKind,
          roundId: t.round_id,
          betId: t.bet_id,
        });
        if (!/^[0-9a-f]{64}$/.test(t.body_hash)) add('body_hash', `transfer ${t.id} has a malformed body hash`);
        else if (t.body_hash !== expected) add('body_hash', `transfer ${t.id} does not match its body hash`);
      }
      transfers += page.rows.length;
      if (page.rows.length < PAGE) break;
      after = page.rows[page.rows.length - 1]!.id;
    }

    // tgenabled 'O': fires in the normal (origin) replication role; 'D' is disabled.
    const triggers = await client.query<{ tgname: string; tgenabled: string }>(
      `SELECT tgname, tgenabled FROM pg_trigger WHERE tgname = ANY($1) AND NOT tgisinternal`,
      [EXPECTED_TRIGGERS],
    );
    for (const name of EXPECTED_TRIGGERS) {
      const t = triggers.rows.find((r) => r.tgname === name);
      if (!t) add('append_only_triggers', `trigger ${name} is missing`);
      else if (t.tgenabled !== 'O' && t.tgenabled !== 'A') add('append_only_triggers', `trigger ${name} is disabled`);
    }

    // The round log's hash chain, from the same snapshot.
    for (const problem of (await verifyRoundLog(client)).problems) add('round_log_chain', problem);

    const accounts = sums.rows.reduce((n, r) => n + r.accounts, 0);
    await client.query('COMMIT');
    return {
      ok: violations.length === 0,
      checkedAt: new Date().toISOString(),
      accounts,
      transfers,
      currencies: sums.rows.map((r) => ({ currency: r.currency, sum: r.sum, accounts: r.accounts })),
      violations,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

export function formatReport(report: LedgerReport): string {
  const lines = [
    `ledger:check ${report.ok ? 'OK' : 'FAILED'} at ${report.checkedAt}: ${report.accounts} accounts, ${report.transfers} transfers`,
    ...report.currencies.map((c) => `  ${c.currency}: ${c.accounts} accounts, sum ${c.sum}`),
    ...report.violations.map((v) => `  VIOLATION ${v.check}: ${v.detail}`),
  ];
  return lines.join('\n');
}

/**
 * `node table-service/dist/cli/ledgerCheck.js [--json]` (or with tsx on the .ts file). Uses
 * DATABASE_URL, else the embedded server in DATA_DIR (default `.data/pg`): reused if the service is
 * running on it, else started for the check and stopped after. Exit code 1 on any violation.
 */
async function main(): Promise<void> {
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const db = await Database.create({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.DATA_DIR || path.resolve('.data/pg'),
    log,
    poolMax: 2,
    migrate: false,
  });
  try {
    const report = await checkLedger(db.pool);
    console.log(formatReport(report));
    if (process.argv.includes('--json')) console.log(JSON.stringify(report));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error('ledger:check could not run:', err instanceof Error ? err.message : err);
    process.exitCode = 2;
  });
}
