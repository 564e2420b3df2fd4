import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../src/db/Database.js';
import { EmbeddedPostgres } from '../src/db/EmbeddedPostgres.js';
import { MIGRATIONS_DIR, migrate } from '../src/db/migrate.js';
import { Ledger } from '../src/Ledger.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';

// A developer with a database at DATABASE_URL may skip the embedded server's own suite; CI may not
// (as with Redis: CI never passes on a suite that did not run).
const skipEmbedded = Boolean(process.env.DATABASE_URL) && process.env.SKIP_EMBEDDED_PG === '1';
if (skipEmbedded && process.env.CI) {
  throw new Error('embedded Postgres: SKIP_EMBEDDED_PG=1 and CI is set: this suite must run in CI');
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'table-service-db-'));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function refusesConnections(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  client.on('error', () => {});
  try {
    await client.connect();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'ECONNREFUSED';
  } finally {
    await client.end().catch(() => {});
  }
}

describe.skipIf(skipEmbedded)('embedded Postgres', () => {
  it('starts in a data folder, migrates, keeps data between runs and stops on close', async () => {
    const dataDir = await tempDir();
    try {
      const first = await Database.create({ dataDir, log: silentLog });
      expect(first.embedded).toBe(true);
      const ledger = await Ledger.create({ pool: first.pool, log: silentLog });
      await ledger.openAccount({ id: 'wallet:kept', kind: 'player_wallet', owner: 'kept', currency: 'EUR' });
      await ledger.deposit({ id: 'seed', to: 'wallet:kept', amount: 1234, currency: 'EUR' });
      const { rows } = await first.query<{ port: string }>(`SELECT current_setting('port') AS port`);
      const port = Number(rows[0]!.port);
      await first.close();
      await first.close();
      expect(await refusesConnections(port)).toBe(true);

      if (process.getuid?.() === 0) {
        // Postgres will not run as root: the cluster belongs to the postgres OS user.
        const owner = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
        expect(statSync(path.join(dataDir, 'pgdata')).uid).toBe(owner);
        expect(statSync(path.join(dataDir, 'password')).mode & 0o077).toBe(0);
      }

      const second = await Database.create({ dataDir, log: silentLog });
      try {
        const again = await Ledger.create({ pool: second.pool, log: silentLog });
        expect(await again.balance('wallet:kept')).toBe(1234);
        expect((await again.deposit({ id: 'seed', to: 'wallet:kept', amount: 1234, currency: 'EUR' })).replayed).toBe(
          true,
        );
      } finally {
        await second.close();
      }
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('two starts on one folder at once: one server, the second shares it and leaves it running', async () => {
    const dataDir = await tempDir();
    const servers = await Promise.all([
      EmbeddedPostgres.start({ dataDir, log: silentLog }),
      EmbeddedPostgres.start({ dataDir, log: silentLog }),
    ]);
    const owner = servers.find((s) => s.owned)!;
    const sharer = servers.find((s) => !s.owned)!;
    try {
      expect(owner).toBeDefined();
      expect(sharer).toBeDefined();
      expect(sharer.port).toBe(owner.port);
      await sharer.stop();
      const client = new pg.Client({ connectionString: owner.url('postgres') });
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
    } finally {
      await owner.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('adopts the server of a service that was SIGKILLed, and stops it', async () => {
    const dataDir = await tempDir();
    try {
      const module = fileURLToPath(new URL('../src/db/EmbeddedPostgres.ts', import.meta.url));
      const script = `
        import { pino } from 'pino';
        import { EmbeddedPostgres } from ${JSON.stringify(module)};
        await EmbeddedPostgres.start({ dataDir: ${JSON.stringify(dataDir)}, log: pino({ level: 'silent' }) });
        console.log('started');
        setInterval(() => {}, 1000);`;
      const service = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        service.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
        service.once('exit', (code) => reject(new Error(`the service exited (${code}) before starting Postgres`)));
      });
      service.kill('SIGKILL');
      await new Promise((resolve) => service.once('exit', resolve));

      const adopter = await EmbeddedPostgres.start({ dataDir, log: silentLog });
      expect(adopter.owned).toBe(true);
      const orphan = Number((await fs.readFile(path.join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      expect(isAlive(orphan)).toBe(true);
      await adopter.stop();
      // A clean shutdown removes the lock file. (The process itself may linger as a zombie until
      // init reaps it.)
      await expect(fs.access(path.join(dataDir, 'pgdata', 'postmaster.pid'))).rejects.toThrow();
      expect(await refusesConnections(adopter.port)).toBe(true);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('starts again after a crash during initialisation', async () => {
    const dataDir = await tempDir();
    try {
      // What an initdb killed half-way leaves behind.
      await fs.mkdir(path.join(dataDir, 'pgdata.init'));
      await fs.writeFile(path.join(dataDir, 'pgdata.init', 'PG_VERSION'), '18\n');
      const server = await EmbeddedPostgres.start({ dataDir, log: silentLog });
      await server.stop();
      await expect(fs.access(path.join(dataDir, 'pgdata.init'))).rejects.toThrow();
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('database', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates a missing database, and nodes starting together migrate it once', async () => {
    const name = `ts_test_concurrent_${process.pid}`;
    const url = server.url(name);
    const nodes = await Promise.all(
      Array.from({ length: 4 }, () => Database.create({ databaseUrl: url, dataDir: '/nonexistent', log: silentLog })),
    );
    try {
      const { rows } = await nodes[0]!.query<{ name: string }>('SELECT name FROM pgmigrations');
      // Every migration file, applied once, in order.
      const files = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .map((f) => f.replace(/\.sql$/, ''))
        .sort();
      expect(rows.map((r) => r.name)).toEqual(files);
      expect(await migrate(nodes[1]!.pool, silentLog)).toEqual([]);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      const admin = new pg.Client({ connectionString: server.url('postgres') });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('migrates a database that still lists a migration since folded into an earlier one', async () => {
    const name = `ts_test_retired_${process.pid}`;
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    const client = new pg.Client({ connectionString: server.url(name) });
    await client.connect();
    try {
      // As a database migrated on 2026-12-04 between 06158a0 and 1c5261f is: everything up to 0030,
      // then 0040_bets_cap_in_batch (now part of 0030), before 0040_ledger_set_based existed.
      const files = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort();
      const upTo0030 = files.filter((f) => f < '0040');
      await runner({
        dbClient: client,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        count: upTo0030.length,
        migrationsTable: 'pgmigrations',
        checkOrder: true,
        log: () => {},
      });
      await client.query("INSERT INTO pgmigrations (name, run_on) VALUES ('0040_bets_cap_in_batch', now())");
      const db = await Database.create({ databaseUrl: server.url(name), dataDir: '/nonexistent', log: silentLog });
      try {
        const { rows } = await db.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
        expect(rows.map((r) => r.name)).toEqual(files.map((f) => f.replace(/\.sql$/, '')));
      } finally {
        await db.close();
      }
    } finally {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('reads BIGINT as an exact number and refuses one that would not be exact', async () => {
    const db = await server.freshDatabase();
    const { rows } = await db.query<{ n: number }>('SELECT 9007199254740991::bigint AS n');
    expect(rows[0]!.n).toBe(Number.MAX_SAFE_INTEGER);
    await expect(db.query('SELECT 9007199254740992::bigint AS n')).rejects.toThrow(RangeError);
    // The pool still works after a refused row.
    expect((await db.query<{ n: number }>('SELECT -9007199254740991::bigint AS n')).rows[0]!.n).toBe(
      -Number.MAX_SAFE_INTEGER,
    );
  });

  it('transaction() commits on success and rolls back on a throw', async () => {
    const db = await server.freshDatabase();
    await db.query('CREATE TABLE t (x int)');
    await db.transaction((c) => c.query('INSERT INTO t VALUES (1)'));
    await expect(
      db.transaction(async (c) => {
        await c.query('INSERT INTO t VALUES (2)');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const { rows } = await db.query<{ x: number }>('SELECT x FROM t');
    expect(rows).toEqual([{ x: 1 }]);
    await db.close();
    await db.close();
  });
});
