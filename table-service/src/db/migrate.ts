import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import type { Logger } from 'pino';

/** `table-service/migrations`, from `src/db` (tsx, vitest) and from `dist/db` (built) alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies the pending migrations (plain SQL files in `table-service/migrations`, in name order) in
 * one transaction, on one connection of the pool. Idempotent. Nodes starting together queue on a
 * session advisory lock (node-pg-migrate's `wait` mode) instead of racing or failing; the later ones
 * then find nothing to do. Returns the names of the migrations it applied.
 */
export async function migrate(pool: pg.Pool, log: Logger): Promise<string[]> {
  const client = await pool.connect();
  try {
    await forgetRetired(client, log);
    const applied = await runner({
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      advisoryLockMode: 'wait',
      singleTransaction: true,
      checkOrder: true,
      logger: {
        debug: (msg: string) => log.debug(msg),
        info: (msg: string) => log.debug(msg),
        warn: (msg: string) => log.warn(msg),
        error: (msg: string) => log.error(msg),
      },
    });
    const names = applied.map((m) => m.name);
    if (names.length > 0) log.info({ migrations: names }, 'database migrated');
    return names;
  } finally {
    client.release();
  }
}

/**
 * Migrations that were on main for a while and were then folded into an earlier one, whose file now
 * creates the same objects. A database migrated in between still lists them, and node-pg-migrate's
 * order check then refuses every later migration ("Not run migration … is preceding already run
 * migration …"): forgetting the row is all such a database needs.
 */
export const RETIRED_MIGRATIONS: readonly string[] = [
  // Folded into 0030_window_reveal by 1c5261f (2026-12-04): the per-player cap inside bets_place.
  '0040_bets_cap_in_batch',
];

async function forgetRetired(client: pg.PoolClient, log: Logger): Promise<void> {
  const { rows } = await client.query<{ table: string | null }>("SELECT to_regclass('pgmigrations')::text AS table");
  if (!rows[0]?.table) return;
  const { rowCount } = await client.query('DELETE FROM pgmigrations WHERE name = ANY ($1::text[])', [
    RETIRED_MIGRATIONS,
  ]);
  if (rowCount) log.warn({ retired: RETIRED_MIGRATIONS }, 'forgot migrations folded into earlier ones');
}
