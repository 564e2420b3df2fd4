import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { Ledger } from '../src/Ledger.js';
import { verifyRoundLog } from '../src/rounds/RoundLog.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';
import { seedPlayer } from './helpers/players.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(here, 'fixtures/settlementWorker.ts');
const PLAYERS = 40;
const KILLS = 30;

interface Run {
  killed: boolean;
  lines: string[];
}

/** Runs the worker; with `killAfterSettlingMs`, SIGKILLs it that long after it starts a settlement. */
function runWorker(databaseUrl: string, killAfterSettlingMs: number | undefined): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WORKER], {
      env: { ...process.env, DATABASE_URL: databaseUrl, CRASH_PLAYERS: String(PLAYERS) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { killed: false, lines: [] };
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        run.lines.push(line);
        if (killAfterSettlingMs !== undefined && line.startsWith('settling') && !run.killed) {
          run.killed = true;
          setTimeout(() => child.kill('SIGKILL'), killAfterSettlingMs);
        }
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && run.killed) resolve(run);
      else if (code === 0) resolve(run);
      else reject(new Error(`worker exited ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
}

describe('crash during settlement', () => {
  let server: TestPostgres;
  let db: Database;
  let ledger: Ledger;
  let databaseUrl: string;

  beforeAll(async () => {
    server = await startTestPostgres();
    db = await server.freshDatabase({ poolMax: 4 });
    ledger = await Ledger.create({ pool: db.pool, log: silentLog });
    const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
    databaseUrl = server.url(rows[0]!.db);
    for (let p = 0; p < PLAYERS; p++) {
      await seedPlayer(db, ledger, `player-${p}`, 1_000_000);
    }
  });
  afterAll(async () => {
    await ledger?.close();
    await db?.close();
    await server?.close();
  });

  it(`SIGKILLed ${KILLS} times mid-settlement, every round settles or voids exactly once`, async () => {
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      // 0 to 60 ms into a settlement of ~200 bets: before, inside and after its transaction.
      const run = await runWorker(databaseUrl, Math.floor(Math.random() * 60));
      if (run.killed) kills++;
    }
    // A last, uninterrupted run recovers whatever the last kill left.
    const final = await runWorker(databaseUrl, undefined);
    expect(final.lines).toContain('done');
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const { rows: states } = await db.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM rounds GROUP BY state',
    );
    expect(states.every((s) => s.state === 'SETTLED' || s.state === 'VOIDED')).toBe(true);
    expect(states.find((s) => s.state === 'SETTLED')?.n ?? 0).toBeGreaterThan(0);

    // Exactly once, bet by bet: a settled bet has its stake moved out of escrow once (to the house
    // or back to the player), a voided one is refunded once, and nothing else moved its money.
    const { rows: wrong } = await db.query<{ id: string; status: string; moves: number }>(
      `SELECT b.id, b.status, count(t.id)::int AS moves
         FROM bets b
         LEFT JOIN transfers t ON t.bet_id = b.id AND t.kind IN ('loss', 'void_refund', 'bet_cancel')
                              OR t.bet_id = b.id AND t.kind = 'payout' AND t.id LIKE 'settle:stake:%'
        GROUP BY b.id, b.status
       HAVING count(t.id) <> 1`,
    );
    expect(wrong).toEqual([]);
    const { rows: statuses } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bets WHERE status = 'placed'",
    );
    expect(statuses[0]!.n).toBe(0);
    const { rows: escrows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM accounts WHERE kind = 'round_escrow' AND balance <> 0",
    );
    expect(escrows[0]!.n).toBe(0);

    const report = await checkLedger(db.pool);
    expect(report.violations ?? []).toEqual([]);
    expect(report.ok).toBe(true);
    expect((await verifyRoundLog(db.pool)).problems).toEqual([]);
  }, 300_000);
});
