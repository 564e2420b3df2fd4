import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/Passwords.js';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { Database } from '../src/db/Database.js';
import { verifyRoundLog } from '../src/rounds/RoundLog.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { freePort, httpJson } from './helpers/http.js';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/main.ts');
const KILLS = 30;
const PLAYERS = 10;
const TABLE = 'crash-roulette';

/**
 * The real table-service process (src/main.ts) is SIGKILLed while it settles a round over HTTP,
 * 30 times; each restart takes the table and recovers it (a confirmed round is settled, anything
 * else voided). Afterwards every bet has moved out of escrow exactly once.
 */
describe('table-service SIGKILLed during settlement', () => {
  let pg: TestPostgres;
  let db: Database;
  let env: Record<string, string>;
  let child: ChildProcess | undefined;
  let base = '';

  const http = (method: 'GET' | 'POST', route: string, token?: string, body?: unknown) =>
    httpJson(base, method, route, token, body);

  async function start(): Promise<void> {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    let output = '';
    child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
      env: { ...process.env, ...env, PORT: String(port), OPS_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => {
      output += String(d);
    });
    child.stderr!.on('data', (d) => {
      output += String(d);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`table-service exited: ${output}`);
      const health = await fetch(`${base}/health`).catch(() => undefined);
      if (health?.ok) {
        const body = (await health.json()) as { ownedTables?: string[] };
        // Serving and owning the table means its recovery has run.
        if (body.ownedTables?.includes(TABLE)) return;
      }
      if (Date.now() > deadline) throw new Error(`table-service did not come up: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function kill(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    pg = await startTestPostgres();
    db = await pg.freshDatabase({ poolMax: 2 });
    const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
    const { privateKey } = generateKeyPairSync('ed25519');
    env = {
      STREAM_TOKEN_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      STUDIO_SERVICE_SECRET: 'x'.repeat(32),
      DATABASE_URL: pg.url(rows[0]!.db),
      STAFF_ACCOUNTS: JSON.stringify([
        { id: 'boss', role: 'pitboss', passwordHash: await hashPassword('boss-password') },
      ]),
      TABLES: JSON.stringify([{ tableId: TABLE, name: 'Crash roulette', game: 'roulette' }]),
      DEMO_PLAYERS: String(PLAYERS),
      DEMO_BALANCE: '10000000',
      AUTH_RATE_LIMIT_MAX: '0',
      SFU_INTERNAL_URL: 'http://127.0.0.1:9',
      REDIS_URL: '',
    };
  }, 60_000);

  afterAll(async () => {
    await kill();
    await db?.close();
    await pg?.close();
  });

  it(`${KILLS} kills mid-settlement: every round settles or voids exactly once`, async () => {
    await start();
    const boss = (await http('POST', '/v1/auth/staff-login', undefined, { id: 'boss', password: 'boss-password' })).body
      .token as string;
    const players: string[] = [];
    for (let p = 1; p <= PLAYERS; p++) {
      players.push(
        (await http('POST', '/v1/auth/login', undefined, { username: `demo${p}`, password: 'demo-password' })).body
          .token,
      );
    }
    let killedDuringSettle = 0;
    for (let i = 0; i < KILLS; i++) {
      const now = Date.now();
      const opened = await http('POST', `/v1/tables/${TABLE}/rounds`, boss, { opensAtStudioMs: now - 20_000 });
      expect(opened.status, JSON.stringify(opened.body)).toBe(201);
      const roundId = opened.body.roundId as string;
      const types = ['red', 'black', 'odd', 'even', 'low', 'high'];
      await Promise.all(
        players.flatMap((token, p) =>
          Array.from({ length: 5 }, (_, b) =>
            http('POST', '/v1/bets', token, {
              clientBetId: `${i}-${b}`,
              roundId,
              bet:
                b === 0 ? { type: 'straight', numbers: [(p * 3 + i) % 37] } : { type: types[(p + b) % types.length] },
              stake: 100 + p + b,
            }),
          ),
        ),
      );
      await http('POST', `/v1/rounds/${roundId}/close`, boss, { closesAtStudioMs: Date.now() });
      await http('POST', `/v1/rounds/${roundId}/result`, boss, { result: { pocket: (i * 7) % 37 } });
      await http('POST', `/v1/rounds/${roundId}/confirm`, boss);
      // Kill the process 0-25 ms into the settle request: before, inside or after its transaction.
      const settling = http('POST', `/v1/rounds/${roundId}/settle`, boss).catch(() => undefined);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 25)));
      const { rows } = await db.query<{ state: string }>('SELECT state FROM rounds WHERE id = $1', [roundId]);
      if (rows[0]?.state !== 'SETTLED') killedDuringSettle++;
      await kill();
      await settling;
      await start(); // takes the table and recovers it
      const { rows: after } = await db.query<{ state: string }>('SELECT state FROM rounds WHERE id = $1', [roundId]);
      expect(after[0]?.state).toBe('SETTLED');
    }
    await kill();
    // Kills that landed before the settlement committed (the recovery then did the settling).
    console.info(`${killedDuringSettle} of ${KILLS} kills landed before the settlement committed`);
    expect(killedDuringSettle).toBeGreaterThan(0);

    const { rows: wrong } = await db.query<{ id: string }>(
      `SELECT b.id FROM bets b
         LEFT JOIN transfers t ON t.bet_id = b.id
              AND (t.kind = 'loss' OR (t.kind = 'payout' AND t.id LIKE 'settle:stake:%') OR t.kind = 'void_refund')
        GROUP BY b.id HAVING count(t.id) <> 1`,
    );
    expect(wrong).toEqual([]);
    const { rows: bets } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bets');
    expect(bets[0]!.n).toBe(KILLS * PLAYERS * 5);
    const report = await checkLedger(db.pool);
    expect(report.violations).toEqual([]);
    expect((await verifyRoundLog(db.pool)).problems).toEqual([]);
  }, 600_000);
});
