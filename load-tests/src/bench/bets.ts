/**
 * `npm run bench:bets`: bet intake of table-service on this machine, loopback only.
 *
 *   a. rounds: every player places one bet per round, spread over the betting window with a burst
 *      in its last second; ack latency (emit → ack) of every bet; each round closed, resulted,
 *      confirmed and settled; every acked bet checked for exactly one settlement; ledger:check.
 *   b. saturation: the same players bet in a closed loop within one open round; acked bets/s.
 *   and pg_commit_per_s, single-row durable commits over one connection on the same server.
 *
 * table-service runs in this process (its event loop is this one's; the bench itself only drives
 * rounds); the players run in `--client-procs` child processes. Postgres: DATABASE_URL's server
 * (a fresh database, dropped after) or an embedded one in .data/bench-bets.
 *
 * By default each configuration (`--postgres embedded,external` × `--players 5000,10000`) runs
 * `--runs` times (3), each run in its own process (`--single`); the runs, the machine, the commit
 * and the median (min–max) of each metric go to `--out` (load-tests/results/bench-bets-<time>.json),
 * from which `npm run bench:bets:report` writes the README's table. A single run prints a summary,
 * then one JSON object as the last line of stdout; progress goes to stderr.
 *
 *   --players 5000  --rounds 3  --window-s 10  --saturation-s 15  --client-procs 2  --runs 3
 *   --postgres embedded|external|embedded,external  --commit-s 5  --burst-share 0.3  --out FILE
 *   --cpu-prof DIR (V8 profiles of table-service's thread per phase)  --keep-db  --verbose  --single
 */
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  auditSettlements,
  betOffsetsMs,
  mergeTallies,
  mulberry32,
  numberFlag,
  type SettledBetRow,
} from '../bets/betPlan.js';
import {
  type BenchDatabase,
  freshDatabase,
  pgCommitPerS,
  type Pool,
  seedPlayers,
  startService,
} from '../bets/benchService.js';
import { type BetsResults, type BetsRun, groupRuns, renderTable, summarizeConfig } from '../bets/benchRuns.js';
import type { FromSwarm, PhaseResult, SwarmPlayer, ToSwarm } from '../bets/swarmMessages.js';
import { type CpuProfile, type FrameTime, summarizeCpuProfile } from '../stats/cpuProfile.js';
import { createLogger, percentile, readCpuTicks, round } from '@live-casino/server-kit';
import { checkLedger, type TableService } from '@live-casino/table-service';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '../../..');
const argv = process.argv.slice(2);

function listFlag(name: string): string[] | undefined {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : (argv[i + 1] ?? '').split(',').filter(Boolean);
}
function stringFlag(name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? undefined : argv[i + 1];
}

const playerCounts = (listFlag('players') ?? [process.env.BENCH_PLAYERS || '5000']).map((p) => {
  const n = Math.floor(Number(p));
  if (!(n > 0)) throw new RangeError('--players must be positive numbers, comma-separated');
  return n;
});
const opts = {
  players: playerCounts[0]!,
  single: argv.includes('--single'),
  runs: Math.floor(numberFlag(argv, 'runs', 3)),
  postgres: (listFlag('postgres') ?? [process.env.DATABASE_URL ? 'external' : 'embedded']) as (
    | 'embedded'
    | 'external'
  )[],
  out: stringFlag('out'),
  cpuProf: stringFlag('cpu-prof'),
  rounds: Math.floor(numberFlag(argv, 'rounds', 3)),
  windowMs: numberFlag(argv, 'window-s', 10) * 1000,
  saturationMs: numberFlag(argv, 'saturation-s', 15) * 1000,
  clientProcs: Math.floor(numberFlag(argv, 'client-procs', 2)),
  commitS: numberFlag(argv, 'commit-s', 5),
  burstShare: numberFlag(argv, 'burst-share', 0.3),
  connectConcurrency: Math.floor(numberFlag(argv, 'connect-concurrency', 100)),
  keepDb: argv.includes('--keep-db'),
  verbose: argv.includes('--verbose'),
};
const TABLE_ID = 'roulette-1';
const BALANCE = 1_000_000_000;
const BURST_MS = 1000;
/** Players still aim for the window: the last bets leave this long before the close. */
const MARGIN_MS = 50;
/** Late bets are accepted until close + the largest playout delay + slack (BettingWindow.ts): 6.15 s. */
const SETTLE_SLACK_MS = 50;

const progress = (msg: string) => console.error(`[bench:bets ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

class Swarm {
  readonly #child: ChildProcess;
  #waiting: { type: string; resolve: (m: FromSwarm) => void; reject: (e: Error) => void } | undefined;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (msg: FromSwarm) => {
      const w = this.#waiting;
      if (msg.type === 'error') {
        this.#waiting = undefined;
        w?.reject(new Error(`player process: ${msg.message}`));
      } else if (w && w.type === msg.type) {
        this.#waiting = undefined;
        w.resolve(msg);
      }
    });
    child.on('exit', (code) => {
      const w = this.#waiting;
      this.#waiting = undefined;
      w?.reject(new Error(`player process exited (${code})`));
    });
  }

  static spawn(): Swarm {
    const child = fork(path.join(HERE, '../bets/playerSwarm.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return new Swarm(child);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  request<T extends FromSwarm['type']>(msg: ToSwarm, answer: T): Promise<Extract<FromSwarm, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#waiting = { type: answer, resolve: resolve as (m: FromSwarm) => void, reject };
      this.#child.send(msg);
    });
  }

  close(): void {
    if (this.#child.connected) this.#child.send({ type: 'close' } satisfies ToSwarm);
    const child = this.#child;
    setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 2000).unref();
  }
}

/** CPU (percent of one core) of this process, the player processes and the Postgres server over a phase. */
class CpuMeter {
  readonly #pids: { swarm: number[] };
  #t0 = 0;
  #self = process.cpuUsage();
  #ticks = new Map<number, number>();
  #elu = performance.eventLoopUtilization();
  #lag = monitorEventLoopDelay({ resolution: 10 });
  #machine = 0;

  constructor(swarmPids: number[]) {
    this.#pids = { swarm: swarmPids };
  }

  async start(): Promise<void> {
    this.#t0 = performance.now();
    this.#self = process.cpuUsage();
    this.#elu = performance.eventLoopUtilization();
    this.#ticks = await ticksOf([...this.#pids.swarm, ...(await postgresPids())]);
    this.#machine = await machineBusyTicks();
    this.#lag.reset();
    this.#lag.enable();
  }

  async stop(): Promise<Record<string, number | null>> {
    this.#lag.disable();
    const seconds = (performance.now() - this.#t0) / 1000;
    const self = process.cpuUsage(this.#self);
    const elu = performance.eventLoopUtilization(this.#elu);
    const pg = await postgresPids();
    const after = await ticksOf([...this.#pids.swarm, ...pg]);
    const machine = ((await machineBusyTicks()) - this.#machine) / 100 / seconds;
    const pct = (pids: number[]) => {
      let ticks = 0;
      for (const pid of pids) {
        const a = after.get(pid);
        const b = this.#ticks.get(pid);
        if (a !== undefined) ticks += a - (b ?? a);
      }
      return round((ticks / 100 / seconds) * 100, 0);
    };
    const service = ((self.user + self.system) / 1e6 / seconds) * 100;
    const clients = pct(this.#pids.swarm) ?? 0;
    const postgres = pct(pg) ?? 0;
    return {
      service_cpu_pct: round(service, 0),
      service_elu: round(elu.utilization, 2),
      service_loop_lag_p99_ms: round(this.#lag.percentile(99) / 1e6, 1),
      service_loop_lag_max_ms: round(this.#lag.max / 1e6, 1),
      clients_cpu_pct: clients,
      postgres_cpu_pct: postgres,
      // All cores (200 = both of two busy), and what other processes on the machine took of it.
      machine_busy_pct: round(machine * 100, 0),
      other_cpu_pct: round(Math.max(0, machine * 100 - service - clients - postgres), 0),
    };
  }
}

/** Busy jiffies of all cores (user + nice + system + irq + softirq + steal) from /proc/stat. */
async function machineBusyTicks(): Promise<number> {
  const fields = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

async function postgresPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(`/proc/${entry}/comm`, 'utf8')).trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function ticksOf(pids: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  await Promise.all(
    pids.map(async (pid) => {
      try {
        out.set(pid, await readCpuTicks(pid));
      } catch {
        // gone meanwhile
      }
    }),
  );
  return out;
}

async function xactCommits(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0]?.n ?? 0);
}

interface DbCounts {
  roundTrips: number;
  xacts: number;
  batches: number;
}

/**
 * Every statement this process sends to Postgres (pg's `Client.prototype.query`: every pool and
 * transaction of table-service, and the bench's own few) and the transactions they make: a
 * statement outside BEGIN…COMMIT is one, a BEGIN…COMMIT block is one; `batches` are the intake's
 * `bets_place` calls. Exact, unlike pg_stat_database.xact_commit, which backends flush at most once
 * a second (and, when they go idle, up to 10 s later).
 */
class DbCounter {
  readonly #counts: DbCounts = { roundTrips: 0, xacts: 0, batches: 0 };

  static install(): DbCounter {
    const counter = new DbCounter();
    const pg = createRequire(path.join(REPO_ROOT, 'table-service/package.json'))('pg') as {
      Client: { prototype: { query: (...args: unknown[]) => unknown } };
    };
    const proto = pg.Client.prototype;
    const query = proto.query;
    const open = new WeakSet<object>();
    const counts = counter.#counts;
    proto.query = function (this: object, ...args: unknown[]) {
      const first = args[0] as string | { text?: string } | undefined;
      const text = typeof first === 'string' ? first : (first?.text ?? '');
      counts.roundTrips++;
      if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(text)) open.add(this);
      else if (/^\s*(COMMIT|ROLLBACK|END)\b/i.test(text)) {
        open.delete(this);
        counts.xacts++;
      } else if (!open.has(this)) counts.xacts++;
      if (text.includes('bets_place(')) counts.batches++;
      return query.apply(this, args);
    };
    return counter;
  }

  snapshot(): DbCounts {
    return { ...this.#counts };
  }

  since(before: DbCounts): DbCounts {
    return {
      roundTrips: this.#counts.roundTrips - before.roundTrips,
      xacts: this.#counts.xacts - before.xacts,
      batches: this.#counts.batches - before.batches,
    };
  }
}

/** V8 profiles of this thread (table-service's event loop) over one phase, when `--cpu-prof` names a folder. */
class PhaseProfiler {
  readonly #session = new Session();
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  static async create(dir: string | undefined): Promise<PhaseProfiler | undefined> {
    if (!dir) return undefined;
    const p = new PhaseProfiler(path.resolve(dir));
    await mkdir(p.#dir, { recursive: true });
    p.#session.connect();
    await p.#session.post('Profiler.enable');
    await p.#session.post('Profiler.setSamplingInterval', { interval: 500 });
    return p;
  }

  start(): Promise<unknown> {
    return this.#session.post('Profiler.start');
  }

  async stop(name: string): Promise<void> {
    const { profile } = await this.#session.post('Profiler.stop');
    const file = path.join(this.#dir, `${name}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    const top = summarizeCpuProfile(profile as CpuProfile, 12);
    const list = (frames: FrameTime[]) => frames.map((f) => `${f.share}% ${f.name}`).join('; ');
    progress(
      `CPU profile of ${name} (${top.totalMs} ms): ${file}\n  by area: ${list(top.byArea)}\n  by function: ${list(top.byFunction)}`,
    );
  }
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => {
    out[i % parts]!.push(item);
  });
  return out;
}

function merge(results: PhaseResult[]) {
  return {
    sent: results.reduce((n, r) => n + r.sent, 0),
    acceptedIds: results.flatMap((r) => r.acceptedIds),
    ackMs: results.flatMap((r) => r.ackMs),
    acceptedAckMs: results.flatMap((r) => r.acceptedAckMs),
    sentAtMs: results.flatMap((r) => r.sentAtMs),
    acceptedByDeadline: results.reduce((n, r) => n + r.acceptedByDeadline, 0),
    rejected: mergeTallies(...results.map((r) => r.rejected)),
    clientMaxLagMs: Math.max(...results.map((r) => r.maxLagMs)),
  };
}

function maxOf(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  return max;
}

function latency(values: number[]) {
  return {
    p50: round(percentile(values, 50), 1),
    p95: round(percentile(values, 95), 1),
    p99: round(percentile(values, 99), 1),
    // A loop, not Math.max(...values): spreading 10^5 samples overflows the call stack.
    max: round(maxOf(values), 1),
  };
}

/**
 * Drives a round to SETTLED once its last late bet could have been accepted; returns the ms from
 * that deadline until the round was settled. table-service may settle a confirmed round itself
 * after the deadline (cluster/TableLeases auto-settle): whichever settle comes first moves the
 * money, the other answers ROUND_WRONG_STATE, which is fine here.
 */
async function finishRound(svc: TableService, roundId: string, closesAt: number, rnd: () => number): Promise<number> {
  const table = svc.tables.get(TABLE_ID)!;
  const closed = await svc.rounds.closeBetting(roundId, closesAt, table);
  await svc.rounds.submitResult(roundId, { pocket: Math.floor(rnd() * 37) }, 'dealer');
  await svc.rounds.confirmResult(roundId, 'bench');
  const deadline = (closed.lastAcceptanceMs ?? 0) + SETTLE_SLACK_MS;
  await sleep(deadline - Date.now());
  try {
    await svc.rounds.settle(roundId);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ROUND_WRONG_STATE') throw err;
  }
  const giveUp = Date.now() + 120_000;
  for (;;) {
    const { rows } = await svc.db.pool.query<{ state: string }>('SELECT state FROM rounds WHERE id = $1', [roundId]);
    if (rows[0]?.state === 'SETTLED') return Date.now() - deadline;
    if (Date.now() > giveUp) throw new Error(`round ${roundId} is ${rows[0]?.state} two minutes after its deadline`);
    await sleep(50);
  }
}

/** Each player is a socket in this process and in a client process: the open-file limit must hold them. */
async function assertFileLimit(players: number): Promise<void> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
  if (Number.isFinite(soft) && soft < players + 500) {
    throw new Error(
      `--players ${players} needs more open files than the limit (${soft}): raise it (ulimit -n ${players + 1000})`,
    );
  }
}

async function runOnce(): Promise<number> {
  await assertFileLimit(opts.players);
  const counter = DbCounter.install();
  const profiler = await PhaseProfiler.create(opts.cpuProf);
  const budgetMs =
    120_000 +
    opts.players * 20 +
    opts.rounds * (opts.windowMs + 30_000) +
    opts.saturationMs +
    60_000 +
    opts.commitS * 1000;
  const swarms: Swarm[] = [];
  let started: Awaited<ReturnType<typeof startService>> | undefined;
  let database: BenchDatabase | undefined;
  const watchdog = setTimeout(() => {
    console.error(`bench:bets: watchdog: still running after ${Math.round(budgetMs / 1000)} s, giving up`);
    for (const s of swarms) s.close();
    setTimeout(() => process.exit(3), 3000).unref();
    void started?.svc
      .close()
      .finally(() => database?.dispose())
      .finally(() => process.exit(3));
  }, budgetMs);
  watchdog.unref();

  // table-service's log on stderr: stdout carries the results only.
  const log = createLogger({
    service: 'table-service',
    level: opts.verbose ? 'info' : 'warn',
    destination: process.stderr,
  });
  const rnd = mulberry32(20_240_601);
  try {
    database = await freshDatabase(log, opts.keepDb);
    progress(
      `database ${database.embedded ? 'embedded' : 'DATABASE_URL'}: ${database.url.replace(/:[^:@/]*@/, ':***@')}`,
    );
    started = await startService(database.url, log);
    const { svc, url } = started;
    const pool = svc.db.pool;
    const settings = await pool.query<{ name: string; setting: string }>(
      `SELECT name, setting || coalesce(unit, '') AS setting FROM pg_settings
        WHERE name IN ('synchronous_commit', 'fsync', 'server_version', 'wal_sync_method', 'max_connections',
                       'shared_buffers', 'data_checksums')`,
    );
    const setting = (name: string) => settings.rows.find((r) => r.name === name)?.setting ?? null;
    if (setting('synchronous_commit') !== 'on' || setting('fsync') !== 'on') {
      progress('WARNING: commits are not durable on this server (synchronous_commit/fsync off)');
    }

    progress(`pg_commit_per_s: ${opts.commitS} s of single-row commits over one connection`);
    const commitPerS = await pgCommitPerS(pool, opts.commitS);
    progress(`pg_commit_per_s = ${commitPerS.toFixed(0)}`);

    let t = performance.now();
    const players = await seedPlayers(started, opts.players, BALANCE);
    progress(`${players.length} players seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    for (let i = 0; i < opts.clientProcs; i++) swarms.push(Swarm.spawn());
    const shares: SwarmPlayer[][] = split(players, opts.clientProcs);
    t = performance.now();
    const connected = await Promise.all(
      swarms.map((s, i) =>
        s.request(
          {
            type: 'connect',
            url,
            tableId: TABLE_ID,
            players: shares[i]!,
            concurrency: opts.connectConcurrency,
            seed: 1000 + i,
          },
          'connected',
        ),
      ),
    );
    const connectedCount = connected.reduce((n, c) => n + c.connected, 0);
    const connectFailures = mergeTallies(...connected.map((c) => c.errors));
    progress(
      `${connectedCount}/${players.length} players connected and subscribed in ${((performance.now() - t) / 1000).toFixed(1)} s` +
        (connectedCount < players.length ? ` (failures: ${JSON.stringify(connectFailures)})` : ''),
    );
    if (connectedCount === 0) throw new Error('no player could connect');
    const counts = connected.map((c) => c.connected);
    const meter = new CpuMeter(swarms.map((s) => s.pid!).filter(Boolean));

    // Phase a: rounds.
    const roundResults: PhaseResult[] = [];
    const roundReports: Record<string, unknown>[] = [];
    const acceptedIds: string[] = [];
    const burstAcks: number[] = [];
    const phaseA: DbCounts = { roundTrips: 0, xacts: 0, batches: 0 };
    await profiler?.start();
    for (let r = 0; r < opts.rounds; r++) {
      const table = svc.tables.get(TABLE_ID)!;
      await meter.start();
      const commits0 = await xactCommits(pool);
      const counts0 = counter.snapshot();
      const opened = await svc.rounds.openBetting(table, Date.now());
      const startAt = Date.now() + 200;
      const results = swarms.map((s, i) =>
        s.request(
          {
            type: 'round',
            tag: `a${r}`,
            roundId: opened.roundId,
            startAt,
            offsetsMs: betOffsetsMs(
              counts[i]!,
              { windowMs: opts.windowMs, burstShare: opts.burstShare, burstMs: BURST_MS, marginMs: MARGIN_MS },
              rnd,
            ),
          },
          'phase',
        ),
      );
      await sleep(startAt + opts.windowMs - Date.now());
      const phase = await Promise.all(results);
      const dbCounts = counter.since(counts0);
      const cpu = await meter.stop();
      const commits = (await xactCommits(pool)) - commits0;
      phaseA.roundTrips += dbCounts.roundTrips;
      phaseA.xacts += dbCounts.xacts;
      phaseA.batches += dbCounts.batches;
      const settleMs = await finishRound(svc, opened.roundId, startAt + opts.windowMs, rnd);
      roundResults.push(...phase);
      const merged = merge(phase);
      for (const id of merged.acceptedIds) acceptedIds.push(id);
      const burstAck = merged.ackMs.filter((_, i) => merged.sentAtMs[i]! >= opts.windowMs - BURST_MS - MARGIN_MS);
      for (const ms of burstAck) burstAcks.push(ms);
      const report = {
        round: r + 1,
        bets: merged.sent,
        accepted: merged.acceptedIds.length,
        rejected: merged.rejected,
        ack_ms: latency(merged.ackMs),
        ack_ms_last_second: latency(burstAck),
        settle_ms: round(settleMs, 0),
        db_xacts: dbCounts.xacts,
        db_round_trips: dbCounts.roundTrips,
        bet_batches: dbCounts.batches,
        pg_stat_xact_commit: commits,
        client_max_loop_lag_ms: round(merged.clientMaxLagMs, 1),
        ...cpu,
      };
      roundReports.push(report);
      progress(`round ${r + 1}: ${JSON.stringify(report)}`);
    }
    if (profiler) await profiler.stop('phase-a');
    const a = merge(roundResults);
    // The first round is cold (JIT, the pool growing to DB_POOL_MAX connections): shown apart too.
    const warm = merge(roundResults.filter((r) => r.tag !== 'a0'));

    // Phase b: saturation.
    const table = svc.tables.get(TABLE_ID)!;
    const satRound = await svc.rounds.openBetting(table, Date.now());
    await meter.start();
    const commits0 = await xactCommits(pool);
    const satCounts0 = counter.snapshot();
    await profiler?.start();
    const satStart = Date.now() + 200;
    await sleep(200);
    const until = satStart + opts.saturationMs;
    const sat = merge(
      await Promise.all(
        swarms.map((s) => s.request({ type: 'saturate', tag: 's', roundId: satRound.roundId, until }, 'phase')),
      ),
    );
    const satCounts = counter.since(satCounts0);
    if (profiler) await profiler.stop('saturation');
    const satCpu = await meter.stop();
    const satCommits = (await xactCommits(pool)) - commits0;
    const betsPerS = sat.acceptedByDeadline / (opts.saturationMs / 1000);
    progress(
      `saturation: ${sat.acceptedByDeadline} bets acked OK in ${opts.saturationMs / 1000} s = ${betsPerS.toFixed(0)}/s; ` +
        `${satCounts.xacts} db transactions (${satCounts.batches} batches); ack ${JSON.stringify(latency(sat.acceptedAckMs))}; ${JSON.stringify(satCpu)}`,
    );
    // Closed now, after every ack came back: a bet sent just before `until` reaches the service after it,
    // and a close at `until` would refund it as late (the closed loop has no window to aim for).
    const satSettleMs = await finishRound(svc, satRound.roundId, Date.now(), rnd);
    progress(`saturation round settled (${sat.acceptedIds.length} bets) in ${(satSettleMs / 1000).toFixed(1)} s`);
    // A loop, not push(...ids): spreading 10^5 arguments overflows the call stack.
    for (const id of sat.acceptedIds) acceptedIds.push(id);

    // Every acked bet: present, settled, exactly once.
    const { rows } = await pool.query<{ present: boolean; status: string | null; settlements: number }>(
      `WITH acked AS (SELECT unnest($1::text[]) AS id),
            s AS (SELECT bet_id, count(*)::int AS n FROM transfers
                   WHERE bet_id IS NOT NULL AND (kind IN ('loss', 'void_refund', 'late_refund') OR id LIKE 'settle:stake:%')
                   GROUP BY bet_id)
       SELECT b.id IS NOT NULL AS present, b.status, coalesce(s.n, 0) AS settlements
         FROM acked a LEFT JOIN bets b ON b.id = a.id LEFT JOIN s ON s.bet_id = a.id`,
      [acceptedIds],
    );
    const audit = auditSettlements(rows as SettledBetRow[]);
    const duplicateAcks = acceptedIds.length - new Set(acceptedIds).size;
    const { rows: dbRows } = await pool.query<{ bets: number; unsettled: number; double: number; late: number }>(
      `SELECT (SELECT count(*)::int FROM bets) AS bets,
              (SELECT count(*)::int FROM bets WHERE status = 'placed') AS unsettled,
              (SELECT count(*)::int FROM (SELECT bet_id FROM transfers
                 WHERE bet_id IS NOT NULL AND (kind IN ('loss', 'void_refund', 'late_refund') OR id LIKE 'settle:stake:%')
                 GROUP BY bet_id HAVING count(*) > 1) d) AS double,
              (SELECT count(*)::int FROM bets WHERE status = 'refunded' AND refund_reason <> 'void') AS late`,
    );
    const db = dbRows[0]!;
    const ledgerReport = await checkLedger(pool);
    progress(`ledger:check ${ledgerReport.ok ? 'OK' : 'FAILED'} over ${ledgerReport.transfers} transfers`);

    const rejectedA = a.rejected;
    const rejectedB = sat.rejected;
    const rejectedAll = mergeTallies(rejectedA, rejectedB);
    const lost = audit.lost;
    const doubleSettled = Math.max(audit.doubleSettled, db.double);
    const ackMs = latency(a.ackMs);
    const lastSecond = latency(burstAcks);
    const ratio = round(betsPerS / commitPerS, 2);
    const perBet = (n: number, bets: number) => (bets > 0 ? round(n / bets, 4) : null);
    const satBetsPerXact = satCounts.xacts > 0 ? round(sat.acceptedByDeadline / satCounts.xacts, 1) : null;
    const p99Limit = opts.players > 5000 ? 50 : 25;
    const result = {
      bench: 'bets',
      date: new Date().toISOString(),
      git: gitState(),
      players: opts.players,
      players_connected: connectedCount,
      postgres: {
        kind: database.embedded ? ('embedded' as const) : ('external' as const),
        version: setting('server_version'),
      },
      rounds: opts.rounds,
      window_s: opts.windowMs / 1000,
      burst_share: opts.burstShare,
      bets: a.sent,
      bets_accepted: a.acceptedIds.length,
      ack_ms: ackMs,
      ack_ms_last_second: lastSecond,
      ack_ms_accepted: latency(a.acceptedAckMs),
      ack_ms_after_first_round: opts.rounds > 1 ? latency(warm.ackMs) : null,
      // Counted on this process's connections (DbCounter): transactions, statements, bets_place calls.
      phase_a: {
        bets: a.sent,
        db_xacts: phaseA.xacts,
        db_round_trips: phaseA.roundTrips,
        bet_batches: phaseA.batches,
        round_trips_per_bet: perBet(phaseA.roundTrips, a.sent),
        bets_per_batch: phaseA.batches > 0 ? round(a.sent / phaseA.batches, 1) : null,
      },
      rounds_detail: roundReports,
      saturation_s: opts.saturationMs / 1000,
      saturation_bets_sent: sat.sent,
      bets_per_s: Math.round(betsPerS),
      saturation_ack_ms: latency(sat.acceptedAckMs),
      saturation: {
        bets: sat.sent,
        db_xacts: satCounts.xacts,
        db_round_trips: satCounts.roundTrips,
        bet_batches: satCounts.batches,
        bets_per_db_xact: satBetsPerXact,
        round_trips_per_bet: perBet(satCounts.roundTrips, sat.sent),
        // pg_stat_database.xact_commit over the phase: flushed late by idle backends, a cross-check only.
        pg_stat_xact_commit: satCommits,
      },
      saturation_cpu: satCpu,
      saturation_settle_ms: round(satSettleMs, 0),
      pg_commit_per_s: Math.round(commitPerS),
      ratio,
      rejected: {
        total: Object.values(rejectedAll).reduce((n, v) => n + v, 0),
        by_code: rejectedAll,
        rounds: rejectedA,
        saturation: rejectedB,
      },
      checked_bets: audit.checked,
      lost,
      double_settled: doubleSettled,
      // Acked, then refunded by the close or the reveal as late (it reached the service after the
      // close): settled once, by the refund. Only a loaded machine makes bets that late.
      late_refunded: db.late,
      duplicate_acks: duplicateAcks,
      db_bets: db.bets,
      db_unsettled: db.unsettled,
      committed_not_acked_ok: db.bets - new Set(acceptedIds).size,
      ledger_check_ok: ledgerReport.ok,
      ledger_transfers: ledgerReport.transfers,
      targets: {
        [`ack_p99_le_${p99Limit}ms`]: (ackMs.p99 ?? Infinity) <= p99Limit,
        [`ack_p99_last_second_le_${p99Limit}ms`]: (lastSecond.p99 ?? Infinity) <= p99Limit,
        ratio_ge_3: ratio !== null && ratio >= 3,
        bets_per_db_xact_ge_100: (satBetsPerXact ?? 0) >= 100,
        lost_and_double_zero: lost === 0 && doubleSettled === 0,
      },
      setup: {
        service: 'in-process (bench main thread)',
        client_processes: opts.clientProcs,
        db_pool_max: started.config.DB_POOL_MAX,
        database: database.embedded ? 'embedded' : 'DATABASE_URL',
        socket_rate_limits: 'off',
      },
      machine: {
        ...machineInfo(),
        pg_version: setting('server_version'),
        synchronous_commit: setting('synchronous_commit'),
        fsync: setting('fsync'),
        wal_sync_method: setting('wal_sync_method'),
        shared_buffers: setting('shared_buffers'),
        data_checksums: setting('data_checksums'),
      },
    };
    // What the summary of several runs reads (benchRuns.ts) is there, with the types it expects.
    const _typed: BetsRun = result;

    const met = (ok: boolean | undefined) => (ok ? 'met' : 'MISSED');
    console.log(
      [
        '',
        `bench:bets — ${opts.players} players (${connectedCount} connected) over ${opts.clientProcs} client processes, table-service in-process, ${result.postgres.kind} Postgres ${result.postgres.version}`,
        `  a. ${opts.rounds} rounds × ${opts.windowMs / 1000} s window (${opts.burstShare * 100}% of bets in the last second):`,
        `     ${a.sent} bets, ${a.acceptedIds.length} accepted; ack p50 ${ackMs.p50} ms, p95 ${ackMs.p95} ms, p99 ${ackMs.p99} ms, max ${ackMs.max} ms; last second p99 ${lastSecond.p99} ms`,
        ...(opts.rounds > 1
          ? [`     rounds 2..${opts.rounds} only: ack p99 ${result.ack_ms_after_first_round?.p99} ms (round 1 is cold)`]
          : []),
        `     ${phaseA.xacts} db transactions, ${phaseA.batches} batches, ${result.phase_a.round_trips_per_bet} round trips per bet`,
        `     rejected: ${JSON.stringify(rejectedA)}`,
        `  b. saturation ${opts.saturationMs / 1000} s closed loop: ${Math.round(betsPerS)} bets/s acked OK ` +
          `(${satBetsPerXact ?? '?'} bets per db transaction, ${result.saturation.round_trips_per_bet} round trips per bet), ack p99 ${result.saturation_ack_ms.p99} ms`,
        `     rejected: ${JSON.stringify(rejectedB)}`,
        `  pg_commit_per_s ${Math.round(commitPerS)} → ratio ${ratio}`,
        `  settlement: ${audit.checked} acked bets checked, lost ${lost}, double-settled ${doubleSettled}, refunded as late ${db.late}; ledger:check ${ledgerReport.ok ? 'OK' : 'FAILED'}`,
        `  targets: ${Object.entries(result.targets)
          .map(([t, ok]) => `${t} ${met(ok)}`)
          .join(', ')}`,
      ].join('\n'),
    );
    if (!ledgerReport.ok) for (const v of ledgerReport.violations) console.log(`  VIOLATION ${v.check}: ${v.detail}`);
    console.log(JSON.stringify(result));
    // Targets are reported, not enforced (a slow machine is not a failure); broken money is.
    return lost === 0 && doubleSettled === 0 && ledgerReport.ok && duplicateAcks === 0 ? 0 : 1;
  } finally {
    for (const s of swarms) s.close();
    await started?.svc.close().catch((err: unknown) => progress(`closing table-service failed: ${String(err)}`));
    await database?.dispose().catch((err: unknown) => progress(`dropping the database failed: ${String(err)}`));
    clearTimeout(watchdog);
  }
}

function gitState(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  try {
    // Dirty: the bench's own code or table-service differ from the commit (others' files do not count).
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', 'table-service', 'load-tests/src') !== '',
    };
  } catch {
    return { commit: 'unknown', dirty: true };
  }
}

function machineInfo(): BetsResults['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    mem_gb: round(totalmem() / 2 ** 30, 1) ?? 0,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load_avg_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** One run in its own process (a fresh event loop, heap and database each time); its JSON line. */
function runChild(kind: 'embedded' | 'external', players: number, tag: string): Promise<BetsRun | undefined> {
  const pass: string[] = ['--single', '--players', String(players)];
  for (const name of [
    'rounds',
    'window-s',
    'saturation-s',
    'client-procs',
    'commit-s',
    'burst-share',
    'connect-concurrency',
  ]) {
    const v = stringFlag(name);
    if (v !== undefined) pass.push(`--${name}`, v);
  }
  if (opts.keepDb) pass.push('--keep-db');
  if (opts.verbose) pass.push('--verbose');
  if (opts.cpuProf) pass.push('--cpu-prof', path.join(opts.cpuProf, tag));
  const env = { ...process.env };
  if (kind === 'embedded') delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', fileURLToPath(import.meta.url), ...pass],
      {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      process.stdout.write(c);
    });
    child.on('error', reject);
    child.on('close', () => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as BetsRun);
      } catch {
        progress(`run ${tag} printed no result`);
        resolve(undefined);
      }
    });
  });
}

async function runAll(): Promise<number> {
  for (const kind of opts.postgres) {
    if (kind !== 'embedded' && kind !== 'external') throw new RangeError('--postgres takes embedded and/or external');
    if (kind === 'external' && !process.env.DATABASE_URL) throw new Error('--postgres external needs DATABASE_URL');
  }
  const machine = machineInfo();
  const busy = machine.load_avg_at_start[0]! >= 0.5;
  progress(
    `${opts.runs} run(s) of ${opts.postgres.join(', ')} × ${playerCounts.join(', ')} players; load average ${machine.load_avg_at_start.join(' ')}` +
      (busy ? ' (WARNING: the machine is not quiet; timings will be noisy)' : ''),
  );
  const runs: BetsRun[] = [];
  let failed = 0;
  // Interleaved (run 1 of each configuration, then run 2, ...) so that a slow spell of the machine
  // does not land on one configuration only.
  for (let i = 1; i <= opts.runs; i++) {
    for (const players of playerCounts) {
      for (const kind of opts.postgres) {
        const tag = `${kind}-${players}-run${i}`;
        progress(`run ${tag}`);
        const run = await runChild(kind, players, tag);
        if (run) runs.push(run);
        else failed++;
      }
    }
  }
  const first = runs[0] as (BetsRun & { git?: BetsResults['git'] }) | undefined;
  const results: BetsResults = {
    bench: 'bets',
    date: new Date().toISOString(),
    git: first?.git ?? gitState(),
    machine,
    options: {
      runs: opts.runs,
      postgres: opts.postgres,
      players: playerCounts,
      rounds: opts.rounds,
      window_s: opts.windowMs / 1000,
      saturation_s: opts.saturationMs / 1000,
      client_procs: opts.clientProcs,
      commit_s: opts.commitS,
      burst_share: opts.burstShare,
    },
    runs,
    summary: groupRuns(runs).map(summarizeConfig),
  };
  const out =
    opts.out ??
    path.join(REPO_ROOT, 'load-tests/results', `bench-bets-${results.date.slice(0, 19).replace(/:/g, '-')}.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${renderTable(results)}\n`);
  progress(`results: ${out} (npm run bench:bets:report -- ${path.relative(REPO_ROOT, out)} writes the README table)`);
  const moneyOk = results.summary.every((s) => s.targets.money_ok);
  return failed === 0 && moneyOk ? 0 : 1;
}

function main(): Promise<number> {
  return opts.single ? runOnce() : runAll();
}

main().then(
  (code) => {
    process.exitCode = code;
    // Sockets of players that were still connecting must not keep the process up.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (err: unknown) => {
    console.error('bench:bets failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 1000).unref();
  },
);
