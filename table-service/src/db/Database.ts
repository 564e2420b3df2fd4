import pg from 'pg';
import type { Logger } from 'pino';
import { EmbeddedPostgres } from './EmbeddedPostgres.js';
import { migrate } from './migrate.js';
import { backoffDelay, sleep } from '@live-casino/server-kit';

export interface DatabaseOptions {
  /** `postgres://` URL of the database (created if missing). Without it, an embedded server is started. */
  databaseUrl?: string | undefined;
  /** Folder of the embedded server, kept between runs (unused with `databaseUrl`). */
  dataDir: string;
  log: Logger;
  /** Connections in the pool. */
  poolMax?: number;
  /** Apply pending migrations on start-up (default true). */
  migrate?: boolean;
  /** Name of the database on the embedded server. */
  embeddedDatabase?: string;
}

const INT8_OID = 20;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/**
 * BIGINT comes back as a JavaScript number. Amounts and balances are integers of minor units, and
 * the schema bounds them to ±(2^53 - 1) (CHECK constraints), so they are always exact; any other
 * BIGINT outside that range fails the query rather than being silently rounded.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} is outside ±${MAX_EXACT}, not exact as a number`);
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The service's PostgreSQL: a pool on `databaseUrl`, or on an embedded server in `dataDir` when
 * there is none (one laptop, no external services). Migrations run on start-up.
 */
export class Database {
  readonly #pool: pg.Pool;
  readonly #embedded: EmbeddedPostgres | undefined;
  readonly #log: Logger;
  readonly #state: { closing: boolean };
  #closed: Promise<void> | undefined;
  #retried = 0;

  private constructor(pool: pg.Pool, embedded: EmbeddedPostgres | undefined, log: Logger, state: { closing: boolean }) {
    this.#pool = pool;
    this.#embedded = embedded;
    this.#log = log;
    this.#state = state;
  }

  static async create(opts: DatabaseOptions): Promise<Database> {
    const log = opts.log.child({ component: 'db' });
    let embedded: EmbeddedPostgres | undefined;
    let url = opts.databaseUrl;
    if (!url) {
      embedded = await EmbeddedPostgres.start({ dataDir: opts.dataDir, log: opts.log });
      url = embedded.url(opts.embeddedDatabase ?? 'table_service');
    }
    let pool: pg.Pool | undefined;
    const state = { closing: false };
    try {
      await ensureDatabase(url, log);
      pool = new pg.Pool({
        connectionString: url,
        max: opts.poolMax ?? 10,
        connectionTimeoutMillis: 10_000,
        idleTimeoutMillis: 30_000,
        keepAlive: true,
        application_name: 'table-service',
        types,
      });
      // An idle connection dropped by the server (restart, failover) must not crash the process;
      // the pool replaces it on the next checkout.
      // (pg-pool's end() resolves before its sockets close: stopping the embedded server right after
      // terminates them, which is no news.)
      pool.on('error', (err) => {
        if (!state.closing)
          log.warn(
            { err: { message: err.message, code: (err as { code?: string }).code } },
            'idle database connection failed',
          );
      });
      if (opts.migrate ?? true) await migrate(pool, log);
      log.info({ url: redactUrl(url), embedded: embedded !== undefined }, 'database ready');
      return new Database(pool, embedded, log, state);
    } catch (err) {
      await pool?.end().catch(() => {});
      await embedded?.stop();
      throw err;
    }
  }

  get pool(): pg.Pool {
    return this.#pool;
  }

  /** Whether the database runs on a server this process started (or reused) in `dataDir`. */
  get embedded(): boolean {
    return this.#embedded !== undefined;
  }

  /** Statements and transactions run again after a deadlock or serialization failure (tests, metrics). */
  get retried(): number {
    return this.#retried;
  }

  /**
   * One statement on any connection. A statement Postgres aborted as a deadlock victim or for a
   * serialization failure (40P01, 40001) changed nothing and is run again: the caller's ids (bet,
   * transfer) are in it, so a retry is the same request.
   */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#pool.query<R>(text, values);
      } catch (err) {
        if (!isRetryable(err) || attempt >= MAX_ATTEMPTS) throw err;
        this.#retried++;
        await retryPause(attempt);
      }
    }
  }

  /**
   * Runs `fn` in a transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws. A
   * transaction aborted as a deadlock victim or a serialization failure is run again from the start
   * (so `fn` must do nothing outside the transaction that a second run would repeat).
   */
  async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactionOnce(fn);
      } catch (err) {
        if (!isRetryable(err) || attempt >= MAX_ATTEMPTS) throw err;
        this.#retried++;
        await retryPause(attempt);
      }
    }
  }

  async #transactionOnce<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Waits for checked-out connections to be released, closes the pool, stops an embedded server it started. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#state.closing = true;
      await this.#pool.end().catch((err) => this.#log.warn({ err }, 'closing the database pool failed'));
      await this.#embedded?.stop();
    })();
    return this.#closed;
  }
}

/** Creates the database named in `url` when the server says it does not exist (SQLSTATE 3D000). */
async function ensureDatabase(url: string, log: Logger): Promise<void> {
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err;
  } finally {
    await probe.end().catch(() => {});
  }
  const admin = new URL(url);
  const name = decodeURIComponent(admin.pathname.slice(1));
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    log.info({ database: name }, 'database created');
  } catch (err) {
    // Another node created it first: pg_database's unique index, or the duplicate check.
    const code = (err as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}

const MAX_ATTEMPTS = 5;

/** Deadlock victim (40P01) or serialization failure (40001): nothing was written, run it again. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

function retryPause(attempt: number): Promise<void> {
  // Short and fully jittered, so the two sides of a deadlock do not meet again on the next try.
  return sleep(backoffDelay(attempt, { initialMs: 5, maxMs: 5 * 2 ** MAX_ATTEMPTS, jitter: 1 }));
}
