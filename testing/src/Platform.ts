/**
 * The embedded default: the whole platform as one process group on one machine, with no external
 * service. Used by `npm start`, by the end-to-end tests and by the benchmarks, so all three run the
 * very same thing. Lives in the testing workspace so that tests of any workspace import it by
 * package name (`@live-casino/testing/platform`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '@live-casino/table-service';
import { backoffDelay } from '@live-casino/server-kit';
// The worker build's own helper (root tooling, plain JavaScript), the one exception to "no path
// outside the workspace" (.dependency-cruiser.cjs).
import { mediasoupWorkerBin } from '../../scripts/mediasoup-worker/workerBin.mjs';

export { mediasoupWorkerBin };

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface PlatformOptions {
  dataDir?: string;
  tableServicePort?: number;
  /**
   * table-service's operators' listener (/metrics, /v1/cluster), loopback. Default 8081 beside the
   * default table-service port; with a port of their own (tests), a free one, so runs never collide.
   */
  tableServiceOpsPort?: number;
  sfuPort?: number;
  /** The sfu's operations listener (/stats, /metrics, /internal/viewer-delays), loopback; default 4444. */
  sfuInternalPort?: number;
  rtcMinPort?: number;
  rtcMaxPort?: number;
  sfuWorkers?: number;
  /** Start the simulated studio feeds (one per table). */
  simulator?: boolean;
  /**
   * Start the vision worker reading every table (needs the simulator or real feeds), and have
   * table-service cross-check each dealer result with it (`visionCheck` on every table).
   * Default off: `npm start` turns it on; tests that do not test vision keep their CPU.
   */
  vision?: boolean;
  /** The vision worker's health and metrics port (default 8090). */
  visionPort?: number;
  tables?: { tableId: string; name: string; game: 'roulette' | 'baccarat' }[];
  /** Where children's output goes: prefixed lines on stdout, or `<dataDir>/logs/<service>.log`. */
  output?: 'prefixed' | 'quiet';
  logLevel?: string;
  env?: Record<string, string>;
}

export interface ServiceHandle {
  name: string;
  process(): ChildProcess | undefined;
  restarts: number;
}

/** Demo logins of the embedded default (never for production: there, STAFF_ACCOUNTS is configured). */
export const DEMO_STAFF_PASSWORDS = { dealer: 'dealer-password', pitboss: 'pitboss-password' };

/** The service account the vision worker logs in to table-service with. */
export const VISION_SERVICE_ID = 'vision';

export const DEFAULT_TABLES = [
  { tableId: 'roulette-1', name: 'Roulette Royale', game: 'roulette' as const },
  { tableId: 'baccarat-1', name: 'Baccarat Squeeze', game: 'baccarat' as const },
];

interface ServiceEntry {
  name: string;
  child: ChildProcess | undefined;
  restarts: number;
  stopping: boolean;
  logFile?: WriteStream;
}

export class Platform {
  readonly urls: { tableService: string; sfu: string; sfuInternal: string; vision: string };
  readonly dataDir: string;
  readonly tables: NonNullable<PlatformOptions['tables']>;
  readonly #opts: PlatformOptions;
  readonly #services: ServiceEntry[] = [];
  #env: Record<string, string> = {};
  #stopped = false;

  private constructor(opts: PlatformOptions) {
    this.#opts = opts;
    this.dataDir = path.resolve(opts.dataDir ?? path.join(REPO_ROOT, '.data'));
    const tsPort = opts.tableServicePort ?? 8080;
    const sfuPort = opts.sfuPort ?? 4443;
    this.urls = {
      tableService: `http://127.0.0.1:${tsPort}`,
      sfu: `http://127.0.0.1:${sfuPort}`,
      sfuInternal: `http://127.0.0.1:${opts.sfuInternalPort ?? 4444}`,
      vision: `http://127.0.0.1:${opts.visionPort ?? 8090}`,
    };
    this.tables = opts.tables ?? DEFAULT_TABLES;
  }

  static async start(opts: PlatformOptions = {}): Promise<Platform> {
    const platform = new Platform(opts);
    await platform.#prepare();
    platform.#spawn('sfu', [path.join(REPO_ROOT, 'sfu/dist/main.js')]);
    platform.#spawn('table-service', [path.join(REPO_ROOT, 'table-service/dist/main.js')]);
    try {
      await platform.waitHealthy(`${platform.urls.sfu}/health`, 30_000);
      await platform.waitHealthy(`${platform.urls.tableService}/health`, 30_000);
    } catch (err) {
      // Leave nothing running behind a failed start.
      await platform.stop();
      throw err;
    }
    if (opts.simulator !== false) {
      platform.#spawn('studio-simulator', [path.join(REPO_ROOT, 'studio/dist/publisher/main.js')]);
    }
    if (opts.vision) platform.#spawn('vision', [path.join(REPO_ROOT, 'vision/dist/live/main.js')]);
    return platform;
  }

  async #prepare(): Promise<void> {
    const keys = path.join(this.dataDir, 'keys');
    await mkdir(keys, { recursive: true });
    await mkdir(path.join(this.dataDir, 'logs'), { recursive: true });
    const privPath = path.join(keys, 'stream-token.key.pem');
    const pubPath = path.join(keys, 'stream-token.pub.pem');
    const secretPath = path.join(keys, 'studio-service.secret');
    const visionSecretPath = path.join(keys, 'vision-service.secret');
    if (!existsSync(privPath) || !existsSync(pubPath)) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      await writeFile(privPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      await writeFile(pubPath, publicKey.export({ type: 'spki', format: 'pem' }));
    }
    if (!existsSync(secretPath)) await writeFile(secretPath, randomBytes(24).toString('hex'), { mode: 0o600 });
    if (!existsSync(visionSecretPath)) {
      await writeFile(visionSecretPath, randomBytes(24).toString('hex'), { mode: 0o600 });
    }
    const visionSecret = (await readFile(visionSecretPath, 'utf8')).trim();
    // Demo staff: a dealer per table and a pit boss, with the passwords in DEMO_STAFF_PASSWORDS.
    const staffPath = path.join(keys, 'staff-accounts.json');
    if (!existsSync(staffPath)) {
      const staff = [
        ...(await Promise.all(
          this.tables.map(async (t) => ({
            id: `dealer-${t.tableId}`,
            role: 'dealer',
            tableId: t.tableId,
            passwordHash: await hashPassword(DEMO_STAFF_PASSWORDS.dealer),
          })),
        )),
        { id: 'pitboss', role: 'pitboss', passwordHash: await hashPassword(DEMO_STAFF_PASSWORDS.pitboss) },
      ];
      await writeFile(staffPath, JSON.stringify(staff), { mode: 0o600 });
    }
    // The vision worker's service account (added to data dirs made before it existed).
    const staffNow = JSON.parse(await readFile(staffPath, 'utf8')) as Record<string, unknown>[];
    if (!staffNow.some((a) => a.id === VISION_SERVICE_ID)) {
      staffNow.push({ id: VISION_SERVICE_ID, role: 'service', secretHash: await hashPassword(visionSecret) });
      await writeFile(staffPath, JSON.stringify(staffNow), { mode: 0o600 });
    }
    const workerBin = mediasoupWorkerBin();
    if (!existsSync(workerBin)) {
      throw new Error(`mediasoup-worker not found at ${workerBin}: run \`npm run setup\` (it builds it)`);
    }
    const sfuPort = new URL(this.urls.sfu).port;
    const tsPort = new URL(this.urls.tableService).port;
    this.#env = {
      MEDIASOUP_WORKER_BIN: workerBin,
      LOG_LEVEL: this.#opts.logLevel ?? 'info',
      STREAM_TOKEN_PUBLIC_KEY: pubPath,
      STREAM_TOKEN_PRIVATE_KEY: privPath,
      STUDIO_SERVICE_SECRET: (await readFile(secretPath, 'utf8')).trim(),
      SFU_PORT: sfuPort,
      SFU_INTERNAL_PORT: new URL(this.urls.sfuInternal).port,
      SFU_PUBLIC_URL: this.urls.sfu,
      // table-service reads which tables are live from the sfu's /stats, on its operations port.
      SFU_INTERNAL_URL: this.urls.sfuInternal,
      SFU_HLS_DIR: path.join(this.dataDir, 'hls'),
      PORT: tsPort,
      OPS_PORT: String(this.#opts.tableServiceOpsPort ?? (this.#opts.tableServicePort === undefined ? 8081 : 0)),
      TABLE_SERVICE_URL: this.urls.tableService,
      TABLES: JSON.stringify(this.#opts.vision ? this.tables.map((t) => ({ ...t, visionCheck: true })) : this.tables),
      VISION_TABLES: JSON.stringify(this.tables.map((t) => ({ tableId: t.tableId, game: t.game }))),
      VISION_SERVICE_ID: VISION_SERVICE_ID,
      VISION_SERVICE_SECRET: visionSecretPath,
      VISION_PORT: String(this.#opts.visionPort ?? 8090),
      SFU_URL: this.urls.sfu,
      DATA_DIR: this.dataDir,
      STAFF_ACCOUNTS: await readFile(staffPath, 'utf8'),
      DEMO_PLAYERS: '20',
      SIMULATED_DEALER_PASSWORD: DEMO_STAFF_PASSWORDS.dealer,
      DEMO_BALANCE: '100000',
      PLAYER_WEB_DIR: path.join(REPO_ROOT, 'player-web/dist'),
      ...(this.#opts.rtcMinPort ? { SFU_RTC_MIN_PORT: String(this.#opts.rtcMinPort) } : {}),
      ...(this.#opts.rtcMaxPort ? { SFU_RTC_MAX_PORT: String(this.#opts.rtcMaxPort) } : {}),
      ...(this.#opts.sfuWorkers ? { SFU_WORKERS: String(this.#opts.sfuWorkers) } : {}),
      ...this.#opts.env,
    };
  }

  #spawn(name: string, args: string[]): void {
    const entry: ServiceEntry = { name, child: undefined, restarts: 0, stopping: false };
    this.#services.push(entry);
    const run = (): void => {
      const child = spawn(process.execPath, args, {
        cwd: REPO_ROOT,
        env: { ...process.env, ...this.#env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      entry.child = child;
      const prefix = `[${name}] `;
      if (this.#opts.output === 'quiet') {
        entry.logFile ??= createWriteStream(path.join(this.dataDir, 'logs', `${name}.log`), { flags: 'a' });
        child.stdout?.pipe(entry.logFile, { end: false });
        child.stderr?.pipe(entry.logFile, { end: false });
      }
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8');
        let partial = '';
        stream?.on('data', (chunk: string) => {
          if (this.#opts.output === 'quiet') return;
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
        });
      }
      child.once('exit', (code, signal) => {
        if (this.#stopped || entry.stopping) return;
        entry.restarts++;
        const delay = backoffDelay(entry.restarts, { initialMs: 200, maxMs: 5000 });
        process.stdout.write(`${prefix}exited (code ${code}, signal ${signal}); restarting in ${delay} ms\n`);
        setTimeout(() => {
          if (!this.#stopped) run();
        }, delay).unref();
      });
    };
    run();
  }

  service(name: string): ServiceHandle {
    const entry = this.#services.find((s) => s.name === name);
    if (!entry) throw new Error(`no service ${name}`);
    return { name, process: () => entry.child, restarts: entry.restarts };
  }

  async waitHealthy(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
        last = new Error(`HTTP ${res.status}`);
      } catch (err) {
        last = err;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${url} not healthy after ${timeoutMs} ms: ${String(last)}`);
  }

  /** Waits until every table has video at the sfu. */
  async waitLive(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.urls.tableService}/v1/tables`);
        const tables = (await res.json()) as { live: boolean }[];
        if (tables.length > 0 && tables.every((t) => t.live)) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`tables not live after ${timeoutMs} ms`);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // Reverse order: the feeds first, then the services they talk to.
    for (const entry of [...this.#services].reverse()) {
      const child = entry.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    for (const entry of this.#services) entry.logFile?.end();
  }
}
