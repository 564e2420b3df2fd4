/**
 * `npm run bench:video`: video latency and sfu cost on this machine, loopback only.
 *
 *   a. WebRTC glass-to-glass in Chromium (burned-in studio timecode → frame on screen)
 *   b. HLS glass-to-glass, the same way
 *   c. sfu worker CPU with 0 and with N lightweight WebRTC viewers on one table
 *
 * Prints a summary, then one JSON object as the last line of stdout; progress goes to stderr.
 * Needs `npm run build` first (it runs the built platform, as `npm start` does).
 *
 *   --viewers N (or BENCH_VIEWERS)  viewers for phase c, default 200
 *   --skip-browser | --skip-webrtc | --skip-hls | --skip-viewers
 *   --webrtc-seconds 20  --hls-seconds 25  --baseline-seconds 10  --load-seconds 15
 *   --table roulette-1   --verbose (platform logs on stdout instead of .data/bench/logs)
 */
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Platform } from '@live-casino/testing/platform';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { shutdownWebRtc } from '../viewers/DatachannelViewer.js';
import type { ViewerSwarm } from '../viewers/ViewerSwarm.js';
import { type GlassToGlassResult, glassToGlassJson, measureGlassToGlass } from './glassToGlass.js';
import { measureSfuLoad, type SfuLoadResult, sfuLoadJson } from './sfuLoad.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Ports of the bench's own, apart from `npm start` (8080/4443) and the e2e tests (18080/14443). */
const BENCH_PORTS = {
  tableServicePort: 28080,
  sfuPort: 24443,
  sfuInternalPort: 24444,
  rtcMinPort: 46000,
  rtcMaxPort: 47999,
};
/** A demo account of the embedded default: the page and the viewers watch as this player. */
const BENCH_PLAYER = { username: 'demo1', password: 'demo-password' };
/** The viewers' own ICE ports, outside the sfu's RTC range. */
const VIEWER_PORTS = { begin: 50000, end: 59999 };
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

interface BenchConfig {
  viewers: number;
  tableId: string;
  webrtc: boolean;
  hls: boolean;
  viewersPhase: boolean;
  webrtcMs: number;
  hlsMs: number;
  baselineMs: number;
  loadMs: number;
  verbose: boolean;
}

type Phase = 'platform' | 'webrtc' | 'hls' | 'sfu';

class UsageError extends Error {
  override name = 'UsageError';
}

function readConfig(argv: string[]): BenchConfig {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  const number = (name: string, raw: string | undefined, min: number, max: number): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be a number in ${min}..${max}, got ${raw}`);
    }
    return n;
  };
  return {
    viewers: Math.round(number('viewers', values.viewers ?? process.env.BENCH_VIEWERS ?? '200', 1, 5000)),
    tableId: values.table,
    webrtc: !values['skip-browser'] && !values['skip-webrtc'],
    hls: !values['skip-browser'] && !values['skip-hls'],
    viewersPhase: !values['skip-viewers'],
    webrtcMs: number('webrtc-seconds', values['webrtc-seconds'], 1, 600) * 1000,
    hlsMs: number('hls-seconds', values['hls-seconds'], 1, 600) * 1000,
    baselineMs: number('baseline-seconds', values['baseline-seconds'], 1, 600) * 1000,
    loadMs: number('load-seconds', values['load-seconds'], 1, 600) * 1000,
    verbose: values.verbose,
  };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string' },
      table: { type: 'string', default: 'roulette-1' },
      'skip-browser': { type: 'boolean', default: false },
      'skip-webrtc': { type: 'boolean', default: false },
      'skip-hls': { type: 'boolean', default: false },
      'skip-viewers': { type: 'boolean', default: false },
      'webrtc-seconds': { type: 'string', default: '20' },
      'hls-seconds': { type: 'string', default: '25' },
      'baseline-seconds': { type: 'string', default: '10' },
      'load-seconds': { type: 'string', default: '15' },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** The built entry points the platform runs; the bench never builds. */
function missingBuild(config: BenchConfig): string[] {
  const needed = ['sfu/dist/main.js', 'table-service/dist/main.js', 'studio/dist/publisher/main.js'];
  if (config.webrtc || config.hls) needed.push('player-web/dist/index.html');
  return needed.filter((file) => !existsSync(path.join(REPO_ROOT, file)));
}

async function main(): Promise<number> {
  const config = readConfig(process.argv.slice(2));
  const startedAt = new Date();
  const errors: { phase: Phase; message: string }[] = [];
  const skipped: Phase[] = [];
  let webrtc: GlassToGlassResult | null = null;
  let hls: GlassToGlassResult | null = null;
  let sfu: SfuLoadResult | null = null;

  const missing = missingBuild(config);
  if (missing.length > 0) {
    log(`not built: ${missing.join(', ')}. Run \`npm run build\` first.`);
    errors.push({ phase: 'platform', message: `not built: ${missing.join(', ')}; run npm run build` });
    printReport(config, startedAt, { webrtc, hls, sfu, errors, skipped: ['webrtc', 'hls', 'sfu'] });
    return 1;
  }

  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let swarm: ViewerSwarm | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> => {
    cleaned ??= (async () => {
      swarm?.stop();
      await browser?.close().catch(() => undefined);
      await platform?.stop().catch((err: unknown) => log(`platform stop: ${(err as Error).message}`));
      shutdownWebRtc();
    })();
    return cleaned;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Bounded in time whatever hangs: every phase's budget plus set-up slack.
  const budgetMs = config.webrtcMs + config.hlsMs + config.baselineMs + config.loadMs + 240_000 + config.viewers * 200;
  const watchdog = setTimeout(() => {
    log(`still running after ${Math.round(budgetMs / 1000)} s: giving up`);
    void cleanup().finally(() => process.exit(2));
  }, budgetMs);
  watchdog.unref();

  try {
    log('starting the platform (sfu, table-service, studio simulator)');
    const launcher = await import('@live-casino/testing/platform');
    platform = await launcher.Platform.start({
      dataDir: path.join(REPO_ROOT, '.data/bench'),
      ...BENCH_PORTS,
      // Every bench viewer watches as one player: lift the sfu's per-player caps (the bench
      // measures forwarding, not the caps).
      env: { SFU_MAX_SOCKETS_PER_SUB: '1000', SFU_MAX_TRANSPORTS_PER_SUB: '10000' },
      output: config.verbose ? 'prefixed' : 'quiet',
      logLevel: 'warn',
    });
    await platform.waitLive(60_000);
    log(`platform live: ${platform.urls.tableService}, sfu ${platform.urls.sfu}`);
    const urls = platform.urls;

    if (config.webrtc || config.hls) {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      for (const mode of ['webrtc', 'hls'] as const) {
        if (!(mode === 'webrtc' ? config.webrtc : config.hls)) {
          skipped.push(mode);
          continue;
        }
        log(`${mode}: glass-to-glass on ${config.tableId}`);
        try {
          const result = await measureGlassToGlass({
            browser,
            tableServiceUrl: urls.tableService,
            tableId: config.tableId,
            player: BENCH_PLAYER,
            mode,
            collectMs: mode === 'webrtc' ? config.webrtcMs : config.hlsMs,
            // HLS needs a segment or two to settle at its live edge.
            warmupMs: mode === 'webrtc' ? 2000 : 4000,
            log,
          });
          if (mode === 'webrtc') webrtc = result;
          else hls = result;
        } catch (err) {
          errors.push({ phase: mode, message: (err as Error).message });
          log(`${mode} failed: ${(err as Error).message}`);
        }
      }
      await browser.close();
      browser = undefined;
    } else {
      skipped.push('webrtc', 'hls');
    }

    if (config.viewersPhase) {
      try {
        sfu = await measureSfuLoad({
          sfuInternalUrl: urls.sfuInternal,
          tableServiceUrl: urls.tableService,
          player: BENCH_PLAYER,
          tableId: config.tableId,
          viewers: config.viewers,
          baselineMs: config.baselineMs,
          loadedMs: config.loadMs,
          receivingTimeoutMs: 30_000 + config.viewers * 50,
          viewerPortRange: VIEWER_PORTS,
          log,
          onSwarm: (s) => {
            swarm = s;
          },
        });
        errors.push(...sfu.errors.map((message) => ({ phase: 'sfu' as const, message })));
        if (sfu.viewersReceiving < config.viewers) {
          errors.push({
            phase: 'sfu',
            message: `only ${sfu.viewersReceiving} of ${config.viewers} viewers received RTP`,
          });
        }
      } catch (err) {
        errors.push({ phase: 'sfu', message: (err as Error).message });
        log(`sfu load failed: ${(err as Error).message}`);
      }
    } else {
      skipped.push('sfu');
    }
  } catch (err) {
    errors.push({ phase: 'platform', message: (err as Error).message });
    log(`failed: ${(err as Error).stack ?? (err as Error).message}`);
  } finally {
    log('stopping viewers, browser and platform');
    await cleanup();
    clearTimeout(watchdog);
  }

  printReport(config, startedAt, { webrtc, hls, sfu, errors, skipped });
  return errors.length > 0 ? 1 : 0;
}

interface Results {
  webrtc: GlassToGlassResult | null;
  hls: GlassToGlassResult | null;
  sfu: SfuLoadResult | null;
  errors: { phase: Phase; message: string }[];
  skipped: Phase[];
}

function printReport(config: BenchConfig, startedAt: Date, r: Results): void {
  const out: string[] = [
    '',
    `video bench (${config.tableId}), ${availableParallelism()} cores, node ${process.version}`,
  ];
  const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
  const pct = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} %` : 'n/a');
  for (const g of [r.webrtc, r.hls]) {
    if (!g) continue;
    out.push(
      `  ${g.mode.padEnd(6)} glass-to-glass  p50 ${ms(g.glassToGlassMs.p50)}  p95 ${ms(g.glassToGlassMs.p95)}` +
        `  (min ${ms(g.glassToGlassMs.min)}, max ${ms(g.glassToGlassMs.max)}; ${g.samples} frames, ${g.framesPerSecond.toFixed(1)} fps;` +
        ` client's own estimate p50 ${ms(g.clientPlayoutDelayMs.p50)})`,
    );
  }
  if (r.sfu) {
    const s = r.sfu;
    out.push(
      `  sfu    ${s.viewersReceiving}/${s.viewersRequested} viewers receiving, ${s.consumers} consumers on ${s.viewerRouters} viewer router(s)`,
      `         worker cpu ${pct(s.workerCpuPctBaseline)} idle → ${pct(s.workerCpuPctLoaded)} loaded` +
        ` = ${s.workerCpuPctPer100Consumers === null ? 'n/a' : `${s.workerCpuPctPer100Consumers.toFixed(2)} %`} of a core per 100 consumers`,
      ...s.workers.map(
        (w) =>
          `           worker ${w.index} (pid ${w.pid}, ${w.routers} routers): ${pct(w.baselinePct)} → ${pct(w.loadedPct)}`,
      ),
      `         per viewer ${s.viewerPacketsPerS.mean.toFixed(1)} pkt/s (min ${s.viewerPacketsPerS.min.toFixed(1)}), ${s.viewerKbpsMean.toFixed(0)} kbit/s;` +
        ` ${s.packetsLost} packets lost in all; first RTP p50 ${s.timeToFirstRtpMsP50 ?? 'n/a'} ms; viewers' own process ${pct(s.benchProcessCpuPct)}`,
    );
  }
  if (r.skipped.length > 0) out.push(`  skipped: ${r.skipped.join(', ')}`);
  for (const e of r.errors) out.push(`  ERROR ${e.phase}: ${e.message}`);
  out.push('');

  const json = {
    bench: 'video',
    started_at: startedAt.toISOString(),
    duration_s: Math.round((Date.now() - startedAt.getTime()) / 1000),
    table: config.tableId,
    webrtc: r.webrtc ? glassToGlassJson(r.webrtc) : null,
    hls: r.hls ? glassToGlassJson(r.hls) : null,
    sfu: r.sfu ? sfuLoadJson(r.sfu) : null,
    machine: {
      cores: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    skipped: r.skipped,
    errors: r.errors,
  };
  process.stdout.write(`${out.join('\n')}\n${JSON.stringify(json)}\n`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      log(`${err.message} (see the options at the top of load-tests/src/bench/video.ts)`);
      process.exit(2);
    }
    log(`bench crashed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
