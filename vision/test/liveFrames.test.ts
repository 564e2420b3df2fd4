import { TableServiceClient } from '@live-casino/clients';
import { percentile } from '@live-casino/server-kit';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecodedFrame, type FrameSourceStatus, SfuFrameSource } from '../src/live/frames/index.js';
import { type LiveRig, type Studio, startLiveRig, timecodeOf, VISION_ID, VISION_SECRET } from './liveFramesHarness.js';
import { waitFor } from '@live-casino/testing';

/** The vision service's client of table-service, as the worker makes it (one per process). */
function visionClient(baseUrl: string, id: string, password: string): TableServiceClient {
  return new TableServiceClient({ baseUrl, credentials: { kind: 'staff', id, password } });
}

const TABLE = 'roulette-1';
const FRAME_MS = 1000 / 30;
/** Frames the first test checks and measures latency over (more for a benchmark run). */
const MEASURED_FRAMES = Number(process.env.LIVE_FRAMES_MEASURE ?? 90);

/** What the test keeps of a frame (not its pixels: the timecode is read from them on arrival). */
interface Received {
  tableId: string;
  studioMs: number;
  rtpTimestamp: number;
  width: number;
  height: number;
  bytes: number;
  emittedAt: number;
  timecode: number | null;
}

/** A frame source with everything it emits recorded. */
function watch(rig: LiveRig, opts: { maxFps?: number; stallMs?: number } = {}) {
  const source = new SfuFrameSource({
    tableId: TABLE,
    sfuUrl: rig.sfuUrl,
    tableService: visionClient(rig.tableServiceUrl, VISION_ID, VISION_SECRET),
    stallMs: opts.stallMs ?? 1500,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...(opts.maxFps !== undefined ? { maxFps: opts.maxFps } : {}),
  });
  const frames: Received[] = [];
  const statuses: FrameSourceStatus[] = [];
  source.on('frame', (frame: DecodedFrame) => {
    const emittedAt = Date.now();
    frames.push({
      tableId: frame.tableId,
      studioMs: frame.studioMs,
      rtpTimestamp: frame.rtpTimestamp,
      width: frame.width,
      height: frame.height,
      bytes: frame.rgb.length,
      emittedAt,
      timecode: timecodeOf(frame),
    });
  });
  source.on('status', (s) => statuses.push(s));
  source.start();
  return {
    source,
    frames,
    statuses,
    /** The first `n` frames emitted from index `from` on, once they are there. */
    next(n: number, from: number, what = `${n} frames`, timeoutMs?: number): Promise<Received[]> {
      return waitFor(what, () => (frames.length >= from + n ? frames.slice(from, from + n) : undefined), timeoutMs);
    },
  };
}

/** Every frame's studio time agrees with the time burned into its pixels, within one frame. */
function expectStudioTimesMatchPixels(received: Received[]): { maxErrorMs: number; read: number } {
  let maxErrorMs = 0;
  let read = 0;
  for (const r of received) {
    if (r.timecode === null) continue;
    read++;
    const error = Math.abs(r.studioMs - r.timecode);
    maxErrorMs = Math.max(maxErrorMs, error);
    expect(error, `frame rtp ${r.rtpTimestamp}`).toBeLessThan(FRAME_MS);
  }
  // The burned-in code survives VP8 at the simulator's bitrate: nearly every frame reads.
  expect(read).toBeGreaterThanOrEqual(Math.floor(received.length * 0.9));
  return { maxErrorMs, read };
}

describe('live frames from the sfu', () => {
  let rig: LiveRig;
  let studio: Studio;
  beforeAll(async () => {
    rig = await startLiveRig();
    studio = await rig.startStudio(TABLE);
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
  });

  it(
    'decodes the table video with exact studio times; recovers from a decoder crash and a studio restart',
    async () => {
      const w = watch(rig);
      try {
        // 1. Frames with the studio time burned into them.
        const first = await w.next(
          MEASURED_FRAMES,
          0,
          `the first ${MEASURED_FRAMES} frames`,
          Math.max(30_000, MEASURED_FRAMES * 100),
        );
        expect(w.statuses.map((s) => s.state)).toContain('live');
        for (const r of first)
          expect(r).toMatchObject({ tableId: TABLE, width: 640, height: 360, bytes: 640 * 360 * 3 });
        const exact = expectStudioTimesMatchPixels(first);
        // In order, 30 fps apart on the studio clock.
        for (let i = 1; i < first.length; i++) {
          expect(first[i]!.studioMs).toBeGreaterThan(first[i - 1]!.studioMs);
        }
        const latency = first.map((r) => r.emittedAt - r.studioMs).sort((a, b) => a - b);
        const report = {
          frames: first.length,
          studio_to_emitted_ms: { p50: percentile(latency, 50), p95: percentile(latency, 95), max: latency.at(-1) },
          studio_time_error_ms: { max: exact.maxErrorMs },
          source: w.source.latency(),
        };
        console.log(`liveFrames latency ${JSON.stringify(report)}`);

        // 2. The decoder is killed: the error is reported, a new decoder starts, frames resume.
        const pid = w.source.decoderPid;
        expect(pid).toBeGreaterThan(0);
        const statusesBefore = w.statuses.length;
        process.kill(pid!, 'SIGKILL');
        await waitFor('an error status', () =>
          w.statuses.slice(statusesBefore).find((s) => s.state === 'error' && /decoder crashed/.test(s.reason ?? '')),
        );
        const afterCrash = await w.next(30, w.frames.length, '30 frames after the decoder crash');
        expect(w.source.decoderPid).not.toBe(pid);
        expect(w.source.stats().decoderRestarts).toBe(1);
        expectStudioTimesMatchPixels(afterCrash);
        expect(w.source.status.state).toBe('live');

        // 3. The studio stops: stalled, with a reason. It comes back (new RTP clock and ssrc): live again.
        const beforeStop = w.statuses.length;
        studio.close();
        const stalled = await waitFor('a stalled status', () =>
          w.statuses.slice(beforeStop).find((s) => s.state === 'stalled'),
        );
        expect(stalled.reason).toMatch(/no video|no decoded frame|egress/);
        const framesAtStop = w.frames.length;
        studio = await rig.startStudio(TABLE);
        const resumed = await w.next(30, framesAtStop, '30 frames after the studio came back');
        expectStudioTimesMatchPixels(resumed);
        expect(w.source.status.state).toBe('live');
      } finally {
        await w.source.close();
      }
    },
    180_000 + MEASURED_FRAMES * 100,
  );

  it('survives an sfu restart: stalled while it is down, live again once the studio republishes', async () => {
    const w = watch(rig);
    try {
      await w.next(15, 0, 'frames before the restart');
      const beforeRestart = w.statuses.length;
      const framesAtRestart = w.frames.length;
      await rig.restartSfu({ downMs: 500 });
      const stalled = await waitFor('a stalled status', () =>
        w.statuses.slice(beforeRestart).find((s) => s.state === 'stalled'),
      );
      expect(stalled.reason).toMatch(/sfu|egress|video/);
      const resumed = await w.next(30, framesAtRestart, '30 frames after the sfu restart');
      expectStudioTimesMatchPixels(resumed);
      expect(w.source.stats().sessions).toBeGreaterThan(1);
    } finally {
      await w.source.close();
    }
  }, 120_000);

  it('survives the death of the mediasoup worker carrying the table', async () => {
    const w = watch(rig);
    try {
      await w.next(15, 0, 'frames before the worker dies');
      const before = w.statuses.length;
      const framesAtDeath = w.frames.length;
      const pid = rig.sfu().pool.workers[0]!.worker.pid;
      process.kill(pid, 'SIGKILL');
      const stalled = await waitFor('a stalled status', () =>
        w.statuses.slice(before).find((s) => s.state === 'stalled'),
      );
      expect(stalled.reason).toMatch(/rebuilt|router closed|sfu|video/);
      const resumed = await w.next(30, framesAtDeath, '30 frames after the worker died');
      expectStudioTimesMatchPixels(resumed);
      expect(rig.sfu().pool.workers[0]!.worker.pid).not.toBe(pid);
    } finally {
      await w.source.close();
    }
  }, 120_000);

  it('emits at most maxFps frames a second, decimated after decoding', async () => {
    const w = watch(rig, { maxFps: 5 });
    try {
      const got = await w.next(8, 0, '8 decimated frames');
      for (let i = 1; i < got.length; i++) {
        expect(got[i]!.studioMs - got[i - 1]!.studioMs).toBeGreaterThanOrEqual(200 - 0.5);
      }
      expect(w.source.stats().framesDecimated).toBeGreaterThan(0);
      expectStudioTimesMatchPixels(got);
    } finally {
      await w.source.close();
    }
  }, 60_000);

  it('a decoder that cannot start is a clear error, retried', async () => {
    const source = new SfuFrameSource({
      tableId: TABLE,
      sfuUrl: rig.sfuUrl,
      tableService: visionClient(rig.tableServiceUrl, VISION_ID, VISION_SECRET),
      ffmpegPath: '/nonexistent/ffmpeg',
    });
    const statuses: FrameSourceStatus[] = [];
    source.on('status', (s) => statuses.push(s));
    source.start();
    try {
      const error = await waitFor('an error status', () => statuses.find((s) => s.state === 'error'));
      expect(error.reason).toMatch(/decoder crashed \(ffmpeg could not start: .*ENOENT/);
      await waitFor('a retry', () => (source.stats().decoderRestarts >= 2 ? true : undefined));
    } finally {
      await source.close();
    }
  });

  it('close() stops everything and is idempotent', async () => {
    const w = watch(rig);
    await w.next(3, 0, 'a few frames');
    const pid = w.source.decoderPid!;
    await Promise.all([w.source.close(), w.source.close()]);
    const n = w.frames.length;
    expect(() => process.kill(pid, 0)).toThrow();
    await waitFor('the egress to close on the sfu', async () =>
      (await rig.sfu().stats()).tables.find((t) => t.tableId === TABLE)?.egresses === 0 ? true : undefined,
    );
    expect(w.frames.length).toBe(n);
  });
});
