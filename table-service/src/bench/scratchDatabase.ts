import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';
import { Database } from '../db/Database.js';

/**
 * Runs `fn` on a migrated database that exists only for it: a scratch database on DATABASE_URL's
 * server (dropped after), or an embedded server in a temporary folder (removed after). For the
 * benchmarks of the SQL alone (bench:ledger, bench:bets-place).
 */
export async function withScratchDatabase<T>(name: string, log: Logger, fn: (db: Database) => Promise<T>): Promise<T> {
  const external = process.env.DATABASE_URL;
  const scratch = `${name}_${randomBytes(4).toString('hex')}`;
  let dataDir: string | undefined;
  let url: string | undefined;
  if (external) {
    const u = new URL(external);
    u.pathname = `/${scratch}`;
    url = u.toString();
  } else {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `${name}-`));
  }
  const db = await Database.create({ databaseUrl: url, dataDir: dataDir ?? '', log, poolMax: 4 });
  try {
    return await fn(db);
  } finally {
    await db.close();
    if (external) {
      const admin = new pg.Client({ connectionString: external });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(scratch)} WITH (FORCE)`);
      await admin.end();
    }
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  }
}
