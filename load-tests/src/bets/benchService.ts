/**
 * table-service as the bets bench uses it: started in this process on a fresh database, with its
 * players created in bulk (rows, wallets, deposits and session tokens written directly, no scrypt
 * per player). table-service comes through its package: its sources with `--conditions=source`,
 * as `npm run bench:bets` runs it, else its build.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Database,
  EmbeddedPostgres,
  hashPassword,
  loadConfig,
  type ServiceConfig,
  SessionTokens,
  TableService,
  type TableServiceOptions,
} from '@live-casino/table-service';
import type { SwarmPlayer } from './swarmMessages.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The logger table-service runs with. */
type Logger = TableServiceOptions['log'];
/** table-service's connection pool. */
export type Pool = Database['pool'];

export interface BenchDatabase {
  /** URL of the fresh database of this run. */
  url: string;
  embedded: boolean;
  /** Drops the database (external server) or stops the embedded server. */
  dispose(): Promise<void>;
}

/**
 * A fresh database for this run: on DATABASE_URL's server when set, else on an embedded server in
 * `.data/bench-bets`.
 */
export async function freshDatabase(log: Logger, keep: boolean): Promise<BenchDatabase> {
  const name = `bench_bets_${randomBytes(4).toString('hex')}`;
  const external = process.env.DATABASE_URL;
  if (external) {
    const u = new URL(external);
    u.pathname = `/${name}`;
    return {
      url: u.toString(),
      embedded: false,
      dispose: async () => {
        if (!keep) await dropDatabase(log, external, name);
      },
    };
  }
  const server = await EmbeddedPostgres.start({ dataDir: path.join(REPO_ROOT, '.data/bench-bets'), log });
  const url = server.url(name);
  return {
    url,
    embedded: true,
    dispose: async () => {
      try {
        // Each run's database is ~100 MB of bets and transfers: not kept on the server's folder.
        if (!keep) await dropDatabase(log, url, name);
      } finally {
        await server.stop();
      }
    },
  };
}

/** Drops `name` on the server of `serverUrl`, connected to its `postgres` database. */
async function dropDatabase(log: Logger, serverUrl: string, name: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const db = await Database.create({ databaseUrl: admin.toString(), dataDir: '', log, poolMax: 1, migrate: false });
  try {
    await db.pool.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await db.close();
  }
}

export interface StartedService {
  svc: TableService;
  url: string;
  config: ServiceConfig;
  tokens: SessionTokens;
}

export async function startService(databaseUrl: string, log: Logger): Promise<StartedService> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const config = loadConfig({
    STREAM_TOKEN_PRIVATE_KEY: pem,
    STUDIO_SERVICE_SECRET: randomBytes(24).toString('hex'),
    DATABASE_URL: databaseUrl,
    DATA_DIR: path.join(REPO_ROOT, '.data/bench-bets'),
    AUTH_RATE_LIMIT_MAX: '0',
    // The per-socket token buckets (issue 10) would answer a closed loop RATE_LIMITED: off, as for any
    // load bench that saturates one socket.
    SOCKET_EVENTS_PER_S: '0',
    SOCKET_BETS_PER_S: '0',
    SOCKET_CANCELS_PER_S: '0',
    SOCKET_DELAY_REPORTS_PER_S: '0',
    // Leases are not what this bench measures: a loaded machine stalling the loop past the default
    // 3 s must not hand the table to recovery, which voids the round under the bench.
    TABLE_LEASE_MS: '60000',
    PORT: '0',
    ...(process.env.DB_POOL_MAX ? { DB_POOL_MAX: process.env.DB_POOL_MAX } : {}),
  });
  const svc = await TableService.create({ config, log, liveTables: async () => new Set() });
  const url = await svc.app.listen({ host: '127.0.0.1', port: 0 });
  // The same key the service signs and verifies sessions with (SESSION_TOKEN_PRIVATE_KEY defaults to it).
  const tokens = await SessionTokens.fromPem(pem, 3600);
  return { svc, url, config, tokens };
}

const DEPOSIT_CHUNK = 1000;

/**
 * `count` players with a funded wallet and a session token: player rows in one INSERT (one shared
 * placeholder password hash: nobody logs in), wallets opened and funded through the Ledger.
 */
export async function seedPlayers(started: StartedService, count: number, balance: number): Promise<SwarmPlayer[]> {
  const { svc, config, tokens } = started;
  const currency = config.CURRENCY;
  const passwordHash = await hashPassword(randomBytes(16).toString('hex'));
  const ids = Array.from({ length: count }, (_, i) => `p_bench${String(i).padStart(6, '0')}`);
  await svc.db.transaction(async (client) => {
    await client.query(
      `INSERT INTO players (id, username, password_hash, display_name, currency)
       SELECT id, replace(id, 'p_', ''), $2, replace(id, 'p_', ''), $3 FROM unnest($1::text[]) AS id`,
      [ids, passwordHash, currency],
    );
    for (const id of ids) {
      await svc.ledger.openAccount({ id: `wallet:${id}`, kind: 'player_wallet', owner: id, currency }, client);
    }
    await svc.ledger.openSystemAccounts(currency, client);
  });
  for (let i = 0; i < ids.length; i += DEPOSIT_CHUNK) {
    await svc.ledger.transferMany(
      ids.slice(i, i + DEPOSIT_CHUNK).map((id) => ({
        id: `bench-deposit:${id}`,
        from: `cashier:${currency}`,
        to: `wallet:${id}`,
        amount: balance,
        currency,
        kind: 'deposit',
      })),
    );
  }
  return Promise.all(
    ids.map(async (playerId) => ({
      playerId,
      token: (await tokens.issue({ userId: playerId, role: 'player' })).token,
    })),
  );
}

/**
 * Single-row durable commits per second over one connection, as table-service/src/bench/pgCommit.ts
 * measures them: the ceiling of one bet per commit on this server.
 */
export async function pgCommitPerS(pool: Pool, seconds: number): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, payload text NOT NULL)');
    const payload = 'x'.repeat(64);
    const step = () => client.query('INSERT INTO bench_commit (payload) VALUES ($1)', [payload]);
    const warmUntil = Date.now() + 500;
    while (Date.now() < warmUntil) await step();
    let n = 0;
    const start = performance.now();
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      await step();
      n++;
    }
    return n / ((performance.now() - start) / 1000);
  } finally {
    client.release();
  }
}
