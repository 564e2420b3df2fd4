import { cpuPercentBetween, round, sampleCpu, summarize } from '@live-casino/server-kit';
import { ViewerSwarm } from '../viewers/ViewerSwarm.js';
import { fetchSfuStats, TableServiceClient } from '@live-casino/clients';

export interface SfuLoadOptions {
  /** The sfu's operations listener, where its /stats are. */
  sfuInternalUrl: string;
  tableServiceUrl: string;
  tableId: string;
  /**
   * The player every viewer watches as (view grants need a session). One account for N viewers
   * needs the sfu's per-player caps lifted: the bench measures forwarding, not the caps.
   */
  player: { username: string; password: string };
  viewers: number;
  baselineMs: number;
  loadedMs: number;
  /** Time for every viewer to get its first RTP packet. */
  receivingTimeoutMs?: number;
  concurrency?: number;
  /** Local UDP ports for the viewers' ICE, away from the sfu's RTC range. */
  viewerPortRange?: { begin: number; end: number };
  log?: (line: string) => void;
  /** The caller keeps the swarm to stop it whatever happens. */
  onSwarm?: (swarm: ViewerSwarm) => void;
}

export interface WorkerCpu {
  index: number;
  pid: number;
  baselinePct: number;
  loadedPct: number;
  routers: number;
}

export interface SfuLoadResult {
  viewersRequested: number;
  viewersStarted: number;
  viewersFailed: number;
  viewersReceiving: number;
  consumers: number;
  viewerRouters: number;
  /** Sum over workers, percent of one core. */
  workerCpuPctBaseline: number;
  workerCpuPctLoaded: number;
  workerCpuPctPer100Consumers: number | null;
  workers: WorkerCpu[];
  viewerPacketsPerS: { mean: number; min: number; p50: number };
  viewerKbpsMean: number;
  packetsLost: number;
  timeToFirstRtpMsP50: number | null;
  /** CPU of this process (the viewers: SRTP, ICE, counting), percent of one core. */
  benchProcessCpuPct: number;
  errors: string[];
}

/**
 * SFU cost per consumer: mediasoup worker CPU with no viewers, then with N lightweight viewers
 * receiving the table, each read from /proc over a fixed window. The difference over the number
 * of consumers is the marginal cost of forwarding to a viewer (SRTP, RTCP, pacing), which is what
 * decides viewers per core; the baseline (ingest, HLS egress, other tables) is reported apart.
 */
export async function measureSfuLoad(opts: SfuLoadOptions): Promise<SfuLoadResult> {
  const log = opts.log ?? (() => undefined);
  const before = await fetchSfuStats(opts.sfuInternalUrl);
  // One player's session, and one view grant shared by the swarm (renewed near its end).
  const tableService = new TableServiceClient({ baseUrl: opts.tableServiceUrl });
  await tableService.login(opts.player.username, opts.player.password);
  const pids = before.workers.filter((w) => w.alive).map((w) => w.pid);

  log(`sfu: baseline worker cpu over ${opts.baselineMs / 1000} s with no viewers`);
  const b0 = await sampleCpu(pids);
  await sleep(opts.baselineMs);
  const b1 = await sampleCpu(pids);
  const baseline = cpuPercentBetween(b0, b1);

  log(`sfu: starting ${opts.viewers} viewers on ${opts.tableId}`);
  const swarm = new ViewerSwarm({
    count: opts.viewers,
    concurrency: opts.concurrency ?? 8,
    tableId: opts.tableId,
    grant: () => tableService.streamGrant(opts.tableId),
    viewer: opts.viewerPortRange ? { portRange: opts.viewerPortRange } : {},
    onProgress: ({ started, failed, total }) => {
      const done = started + failed;
      if (done % 50 === 0 || done === total) log(`sfu: ${started} viewers up, ${failed} failed, of ${total}`);
    },
  });
  opts.onSwarm?.(swarm);
  const setupStarted = Date.now();
  await swarm.start();
  try {
    await swarm.waitAllReceiving(opts.receivingTimeoutMs ?? 30_000);
  } catch (err) {
    log(`sfu: ${(err as Error).message}; measuring anyway`);
  }
  log(`sfu: viewers set up in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s; settling`);
  await sleep(2000);

  log(`sfu: loaded worker cpu over ${opts.loadedMs / 1000} s`);
  const v0 = new Map(swarm.viewerStats().map((s) => [s.name, s]));
  const selfCpu0 = process.cpuUsage();
  const l0 = await sampleCpu(pids);
  await sleep(opts.loadedMs);
  const l1 = await sampleCpu(pids);
  const selfCpu1 = process.cpuUsage(selfCpu0);
  const loaded = cpuPercentBetween(l0, l1);
  const windowS = (l1.at - l0.at) / 1000;
  const v1 = swarm.viewerStats();
  const after = await fetchSfuStats(opts.sfuInternalUrl);

  const rates = v1.map((s) => (s.rtpPackets - (v0.get(s.name)?.rtpPackets ?? 0)) / windowS);
  const kbps = v1.map((s) => ((s.rtpBytes - (v0.get(s.name)?.rtpBytes ?? 0)) * 8) / 1000 / windowS);
  const rateSummary = summarize(rates);
  const table = after.tables.find((t) => t.tableId === opts.tableId);
  const consumers = table?.consumers ?? 0;
  const sum = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const baselinePct = sum(baseline);
  const loadedPct = sum(loaded);
  const swarmStats = swarm.stats();
  const workersGone = before.workers.filter((w) => !after.workers.some((x) => x.pid === w.pid));
  const errors = [...swarmStats.errors];
  if (workersGone.length > 0)
    errors.push(`workers replaced during the run: ${workersGone.map((w) => w.index).join(', ')}`);

  return {
    viewersRequested: opts.viewers,
    viewersStarted: swarmStats.viewers,
    viewersFailed: swarmStats.failed,
    // Receiving through the whole window, not only once.
    viewersReceiving: rates.filter((r) => r > 0).length,
    consumers,
    viewerRouters: table?.routers.filter((r) => r.role === 'viewer').length ?? 0,
    workerCpuPctBaseline: baselinePct,
    workerCpuPctLoaded: loadedPct,
    workerCpuPctPer100Consumers: consumers > 0 ? ((loadedPct - baselinePct) / consumers) * 100 : null,
    workers: after.workers.map((w) => ({
      index: w.index,
      pid: w.pid,
      baselinePct: baseline.get(w.pid) ?? Number.NaN,
      loadedPct: loaded.get(w.pid) ?? Number.NaN,
      routers: w.routers,
    })),
    viewerPacketsPerS: { mean: rateSummary.mean, min: rateSummary.min, p50: rateSummary.p50 },
    viewerKbpsMean: summarize(kbps).mean,
    packetsLost: swarmStats.packetsLost,
    timeToFirstRtpMsP50: swarmStats.timeToFirstRtpMsP50,
    benchProcessCpuPct: ((selfCpu1.user + selfCpu1.system) / 1000 / (windowS * 1000)) * 100,
    errors,
  };
}

export function sfuLoadJson(r: SfuLoadResult): Record<string, unknown> {
  return {
    viewers_requested: r.viewersRequested,
    viewers_started: r.viewersStarted,
    viewers_failed: r.viewersFailed,
    viewers_receiving: r.viewersReceiving,
    consumers: r.consumers,
    viewer_routers: r.viewerRouters,
    worker_cpu_pct_baseline: round(r.workerCpuPctBaseline),
    worker_cpu_pct_loaded: round(r.workerCpuPctLoaded),
    worker_cpu_pct_per_100_consumers:
      r.workerCpuPctPer100Consumers === null ? null : round(r.workerCpuPctPer100Consumers, 2),
    workers: r.workers.map((w) => ({
      index: w.index,
      pid: w.pid,
      routers: w.routers,
      cpu_pct_baseline: round(w.baselinePct),
      cpu_pct_loaded: round(w.loadedPct),
    })),
    viewer_packets_per_s: {
      mean: round(r.viewerPacketsPerS.mean),
      p50: round(r.viewerPacketsPerS.p50),
      min: round(r.viewerPacketsPerS.min),
    },
    viewer_kbps_mean: round(r.viewerKbpsMean),
    packets_lost: r.packetsLost,
    time_to_first_rtp_ms_p50: r.timeToFirstRtpMsP50,
    bench_process_cpu_pct: round(r.benchProcessCpuPct),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
