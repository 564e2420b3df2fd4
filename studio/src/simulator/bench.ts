/**
 * CPU benchmark of simulated feeds: runs N feeds (roulette and baccarat alternately) to local UDP
 * sinks and prints per-frame render cost, Node and ffmpeg CPU, and what reached the wire.
 *
 *   node --import tsx studio/src/simulator/bench.ts [--feeds 2] [--seconds 20] [--width 640 --height 360 --fps 30]
 */
import dgram from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createSimulatedScene } from './NodeCanvas.js';
import { TableFeed } from './TableFeed.js';

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '20' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    fps: { type: 'string', default: '30' },
  },
});
const feedCount = Number(values.feeds);
const seconds = Number(values.seconds);
const fps = Number(values.fps);

const sink = dgram.createSocket('udp4');
let received = 0;
sink.on('message', (m) => {
  received += m.length;
});
await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));

const feeds = await Promise.all(
  Array.from({ length: feedCount }, (_, i) => {
    const game = i % 2 === 0 ? ('roulette' as const) : ('baccarat' as const);
    return TableFeed.create({
      tableId: `bench-${i}`,
      scene: createSimulatedScene(game, { tableName: `${game} bench ${i}`, seed: i + 1, epochMs: Date.now() }),
      width: Number(values.width),
      height: Number(values.height),
      fps,
      target: { host: '127.0.0.1', port: sink.address().port },
      ssrc: 1000 + i,
    });
  }),
);

// Let ffmpeg and the layer caches warm up before measuring.
await sleep(2_000);
const before = feeds.map((f) => f.stats());
const cpuBefore = process.cpuUsage();
const wallBefore = performance.now();
received = 0;
await sleep(seconds * 1000);
const wall = performance.now() - wallBefore;
const cpu = process.cpuUsage(cpuBefore);
const after = feeds.map((f) => f.stats());
for (const feed of feeds) feed.close();
sink.close();

const perFeed = after.map((s, i) => {
  const b = before[i] as typeof s;
  const frames = s.framesSent - b.framesSent;
  return {
    tableId: s.tableId,
    framesPerSecond: Math.round((frames / wall) * 1000 * 10) / 10,
    skipped: s.framesSkipped - b.framesSkipped,
    dropped: s.framesDropped - b.framesDropped,
    renderMs: s.renderMs,
    readbackMs: s.readbackMs,
    captureToSendMs: s.captureToSendMs,
    ffmpegCpuPercent:
      s.encoder.cpuMs !== null && b.encoder.cpuMs !== null
        ? Math.round(((s.encoder.cpuMs - b.encoder.cpuMs) / wall) * 1000) / 10
        : null,
    kbps: Math.round(((s.bytesSent - b.bytesSent) * 8) / wall),
  };
});
const result = {
  feeds: feedCount,
  seconds: Math.round(wall / 100) / 10,
  size: `${values.width}x${values.height}@${fps}`,
  nodeCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 1000) / 10,
  receivedKbps: Math.round((received * 8) / wall),
  perFeed,
};
for (const f of perFeed) {
  console.log(
    `${f.tableId}: ${f.framesPerSecond} fps (skipped ${f.skipped}, dropped ${f.dropped}), render ${f.renderMs.mean} ms ` +
      `(max ${f.renderMs.max}), readback ${f.readbackMs.mean} ms, capture→send ${f.captureToSendMs.mean} ms, ` +
      `ffmpeg ${f.ffmpegCpuPercent}% of a core, ${f.kbps} kbit/s`,
  );
}
console.log(`node process (all feeds): ${result.nodeCpuPercent}% of a core`);
console.log(JSON.stringify(result));
