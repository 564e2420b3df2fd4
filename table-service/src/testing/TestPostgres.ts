import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { Database } from '../db/Database.js';
import { EmbeddedPostgres } from '../db/EmbeddedPostgres.js';

export const silentLog = pino({ level: 'silent' });

/**
 * A real PostgreSQL server for one test file: the one at DATABASE_URL (CI: Debian's; with `CI` set
 * it is required), else an embedded server in a temporary folder. Each test gets its own fresh,
 * migrated database, dropped when the server is closed.
 */
export interface TestPostgres {
  /** URL of a database on this server (not created). */
  url(database: string): string;
  /** A fresh database with the migrations applied. */
  freshDatabase(opts?: { poolMax?: number }): Promise<Database>;
  close(): Promise<void>;
}

export async function startTestPostgres(): Promise<TestPostgres> {
  let url: (database: string) => string;
  let stopServer: () => Promise<void>;
  const external = process.env.DATABASE_URL;
  if (!external && process.env.CI) {
    // CI (.ci/run) starts Debian's PostgreSQL and sets DATABASE_URL; without it every test file
    // would quietly start an embedded server of its own, not the server CI means to test against.
    throw new Error('no DATABASE_URL, and CI is set: the tests run against the PostgreSQL at DATABASE_URL');
  }
  if (external) {
    url = (database) => {
      const u = new URL(external);
      u.pathname = `/${database}`;
      return u.toString();
    };
    stopServer = async () => {};
  } else {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'table-service-pg-'));
    const server = await EmbeddedPostgres.start({ dataDir, log: silentLog });
    url = (database) => server.url(database);
    stopServer = async () => {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    };
  }

  const created: { name: string; db: Database }[] = [];
  return {
    url,
    async freshDatabase(opts = {}) {
      const name = `ts_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const db = await Database.create({
        databaseUrl: url(name),
        dataDir: '/nonexistent',
        log: silentLog,
        poolMax: opts.poolMax ?? 20,
      });
      created.push({ name, db });
      return db;
    },
    async close() {
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        for (const { name, db } of created) {
          await db.close();
          await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        }
      } finally {
        await admin.end();
        await stopServer();
      }
    },
  };
}
