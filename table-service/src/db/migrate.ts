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
