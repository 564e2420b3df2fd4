/**
 * Soak: the simulated tables run for N minutes on the embedded default (sfu, table-service, studio
 * simulator, vision worker), and every second this counts what a viewer or the vision worker would
 * feel as a restart (issue 10, acceptance 6):
 *
 *   - producers replaced: a table's producer id changed in the sfu's /stats (operations port);
 *   - HLS restarts: the packager run behind the playlist changed (segment names carry the egress
 *     and the ffmpeg run), or the sfu counted a packager restart;
 *   - vision stalls: a table's feed at the vision worker went from `reading` to anything else
 *     (its /health).
 *
 * Grant refreshes are what used to replace the producer (every ~4 min); `--token-ttl 20` makes
 * them come every ~13 s so a short run sees many. Needs `npm run build` first (it runs the built
 * platform, as `npm start` does). Progress goes to stderr, one JSON object to stdout; exit code 1
 * when anything was counted.
 *
 *   node --import tsx load-tests/src/soak/producerStability.ts --minutes 30 [--token-ttl 20] [--verbose]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TableServiceClient } from '@live-casino/clients';
import type { SfuStats } from '@live-casino/protocol';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** Ports of its own, apart from `npm start`, the e2e tests and the video bench. */
const SOAK_PORTS = {
  tableServicePort: 38080,
  tableServiceOpsPort: 38081,
  sfuPort: 34443,
  sfuInternalPort: 34444,
  visionPort: 38090,
  rtcMinPort: 48000,
  rtcMaxPort: 48999,
};
const POLL_MS = 1000;
/** A demo account of the embedded default: the soak reads the playlist as this player. */
const PLAYER = { username: 'demo20', password: 'demo-password' };

interface VisionHealth {
  tables: { tableId: string; state: string }[];
}

interface TableCount {
  producersReplaced: number;
  hlsRestarts: number;
  visionStalls: number;
  /** Seconds the table had no producer at the sfu. */
  secondsWithoutProducer: number;
  producerIds: string[];
  hlsRuns: string[];
}

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'token-ttl': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const minutes = Number(args.minutes);
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
  console.error('--minutes must be a number of minutes between 0 and 1440');
  process.exit(2);
}
const tokenTtl = args['token-ttl'];
if (tokenTtl !== undefined && !/^[0-9]+$/.test(tokenTtl)) {
  console.error('--token-ttl must be whole seconds (table-service takes 10..3600)');
  process.exit(2);
}
const log = (line: string): void => {
  process.stderr.write(`[soak ${new Date().toISOString()}] ${line}\n`);
};

async function getJson<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T | undefined }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as T) : undefined };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** `seg-<egress>-<ffmpeg run>-<n>.ts`: the newest segment's egress and run. */
function hlsRunOf(playlist: string): string | undefined {
  const uri = playlist
    .split('\n')
    .filter((l) => l.startsWith('seg-'))
    .at(-1);
  const m = uri ? /^seg-([a-z0-9]+)-([0-9]+)-/.exec(uri) : null;
  return m ? `${m[1]}-${m[2]}` : undefined;
}

async function main(): Promise<number> {
  for (const dist of ['sfu/dist/main.js', 'table-service/dist/main.js', 'studio/dist/publisher/main.js']) {
    if (!existsSync(path.join(REPO_ROOT, dist))) {
      log(`${dist} missing: run \`npm run build\` first`);
      return 2;
    }
  }
  const launcher = await import('@live-casino/testing/platform');
  const startedAt = new Date();
  log(`starting the platform with vision${tokenTtl ? `, stream tokens of ${tokenTtl} s` : ''}`);
  const platform = await launcher.Platform.start({
    dataDir: path.join(REPO_ROOT, '.data/soak'),
    ...SOAK_PORTS,
    vision: true,
    output: args.verbose ? 'prefixed' : 'quiet',
    logLevel: 'warn',
    ...(tokenTtl ? { env: { STREAM_TOKEN_TTL_S: tokenTtl } } : {}),
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await platform.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stop().then(() => process.exit(130)));

  const errors: string[] = [];
  const counts = new Map<string, TableCount>();
  let samples = 0;
  try {
    await platform.waitLive(60_000);
    const urls = platform.urls;
    log('tables live; waiting for the vision worker to read every table');
    const visionDeadline = Date.now() + 180_000;
    while ((await getJson<VisionHealth>(`${urls.vision}/health`)).status !== 200) {
      if (Date.now() > visionDeadline) throw new Error('the vision worker never read every table');
      await new Promise((r) => setTimeout(r, 1000));
    }
    const tableService = new TableServiceClient({
      baseUrl: urls.tableService,
      credentials: { kind: 'player', username: PLAYER.username, password: PLAYER.password },
    });
    // Grants are cached by the client and renewed before they end.
    const playlistToken = async (tableId: string): Promise<string> => (await tableService.streamGrant(tableId)).token;
    for (const t of platform.tables) {
      counts.set(t.tableId, {
        producersReplaced: 0,
        hlsRestarts: 0,
        visionStalls: 0,
        secondsWithoutProducer: 0,
        producerIds: [],
        hlsRuns: [],
      });
    }
    const lastVision = new Map<string, string>();
    const lastPackagerRestarts = new Map<string, number>();
    const endAt = Date.now() + minutes * 60_000;
    let nextReport = Date.now() + 60_000;
    log(`measuring for ${minutes} min`);
    while (Date.now() < endAt && !stopping) {
      const tick = Date.now();
      samples++;
      const stats = await getJson<SfuStats>(`${urls.sfuInternal}/stats`);
      const vision = await getJson<VisionHealth>(`${urls.vision}/health`);
      for (const [tableId, c] of counts) {
        const table = stats.body?.tables.find((t) => t.tableId === tableId);
        const video = table?.producers.find((p) => p.kind === 'video');
        if (!stats.body) errors.push(`${new Date().toISOString()}: sfu /stats unreachable (HTTP ${stats.status})`);
        else if (!video) c.secondsWithoutProducer += POLL_MS / 1000;
        else if (c.producerIds.at(-1) !== video.producerId) {
          if (c.producerIds.length > 0) {
            c.producersReplaced++;
            log(`${tableId}: producer replaced (${c.producerIds.at(-1)} → ${video.producerId})`);
          }
          c.producerIds.push(video.producerId);
        }
        const packagerRestarts = table?.hls?.restarts ?? 0;
        if (packagerRestarts > (lastPackagerRestarts.get(tableId) ?? 0)) {
          log(`${tableId}: HLS packager restarted (sfu count ${packagerRestarts})`);
        }
        lastPackagerRestarts.set(tableId, packagerRestarts);
        try {
          const res = await fetch(`${urls.sfu}/hls/${tableId}/index.m3u8?t=${await playlistToken(tableId)}`, {
            signal: AbortSignal.timeout(3000),
          });
          const run = res.ok ? hlsRunOf(await res.text()) : undefined;
          if (run && c.hlsRuns.at(-1) !== run) {
            if (c.hlsRuns.length > 0) {
              c.hlsRestarts++;
              log(`${tableId}: HLS run changed (${c.hlsRuns.at(-1)} → ${run})`);
            }
            c.hlsRuns.push(run);
          }
        } catch (err) {
          errors.push(`${new Date().toISOString()}: ${tableId} playlist: ${(err as Error).message}`);
        }
        const state = vision.body?.tables.find((t) => t.tableId === tableId)?.state ?? 'unreachable';
        const before = lastVision.get(tableId);
        if (before === 'reading' && state !== 'reading') {
          c.visionStalls++;
          log(`${tableId}: vision ${state}`);
        }
        lastVision.set(tableId, state);
      }
      if (Date.now() >= nextReport) {
        nextReport += 60_000;
        const line = [...counts]
          .map(([id, c]) => `${id}: ${c.producersReplaced} replaced, ${c.hlsRestarts} HLS, ${c.visionStalls} vision`)
          .join('; ');
        log(`${Math.round((Date.now() - (endAt - minutes * 60_000)) / 60_000)} min: ${line}`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - tick))));
    }
  } catch (err) {
    errors.push((err as Error).message);
    log(`failed: ${(err as Error).message}`);
  } finally {
    await stop();
  }

  const tables = Object.fromEntries(
    [...counts].map(([id, c]) => [
      id,
      {
        producers_replaced: c.producersReplaced,
        hls_restarts: c.hlsRestarts,
        vision_stalls: c.visionStalls,
        seconds_without_producer: c.secondsWithoutProducer,
        producer_ids: c.producerIds,
      },
    ]),
  );
  const sum = (pick: (c: TableCount) => number): number => [...counts.values()].reduce((n, c) => n + pick(c), 0);
  const result = {
    started_at: startedAt.toISOString(),
    minutes,
    stream_token_ttl_s: tokenTtl ? Number(tokenTtl) : null,
    samples,
    producers_replaced: sum((c) => c.producersReplaced),
    hls_restarts: sum((c) => c.hlsRestarts),
    vision_stalls: sum((c) => c.visionStalls),
    tables,
    errors: errors.slice(0, 50),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  const clean =
    result.producers_replaced === 0 && result.hls_restarts === 0 && result.vision_stalls === 0 && errors.length === 0;
  return clean ? 0 : 1;
}

process.exit(await main());
