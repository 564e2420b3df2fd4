import { writeFileSync } from 'node:fs';
import { ImageData, createCanvas } from '@napi-rs/canvas';
import { ABS_CAPTURE_TIME_URI, rtpToStudioTime } from '@live-casino/media';
import { decodeTimecode } from '@live-casino/protocol';
import { percentile } from '@live-casino/server-kit';
import { decodeVideo, waitFor } from '@live-casino/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedScene } from '../src/simulator/NodeCanvas.js';
import type { GameKind, SceneEvent } from '../src/simulator/SceneTypes.js';
import { TableFeed } from '../src/simulator/TableFeed.js';
import { RtpTestReceiver } from './helpers/RtpTestReceiver.js';

const WIDTH = 640;
const HEIGHT = 360;
const FPS = 30;
/** What a run must have on the wire before it stops: about 3 s of this feed on an idle machine. */
const MIN_FRAMES = 60;
const MIN_SENDER_REPORTS = 5;
const PERIOD_MS = 1000 / FPS;

/** Where in its round each table is when the test starts, so the saved frame shows some action. */
const SCENARIOS: { game: GameKind; intoRoundMs: number; expectEvent: SceneEvent['type'] }[] = [
  // Ball drops at 15.5 s and settles at 18 s.
  { game: 'roulette', intoRoundMs: 16_000, expectEvent: 'ballSettled' },
  // P1 11.0 s, B1 12.2 s, P2 13.4 s, B2 14.6 s.
  { game: 'baccarat', intoRoundMs: 11_500, expectEvent: 'cardDealt' },
];

describe('TableFeed end to end: render → VP8 → RTP → depacketize → decode → timecode', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  for (const { game, intoRoundMs, expectEvent } of SCENARIOS) {
    it(`${game}: every decoded frame shows the capture time its RTP timestamp maps to`, async () => {
      const receiver = await RtpTestReceiver.create(1);
      cleanup.push(() => receiver.close());
      const scene = createSimulatedScene(game, {
        tableName: `${game} · test table`,
        seed: 1234,
        epochMs: Date.now() - intoRoundMs,
      });
      const feed = await TableFeed.create({
        tableId: `test-${game}`,
        scene,
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        target: { host: '127.0.0.1', port: receiver.port },
        ssrc: 0x1234abcd,
        absCaptureTimeExtId: 1,
      });
      cleanup.push(() => feed.close());
      const events: SceneEvent[] = [];
      feed.on('sceneevent', (event) => events.push(event));

      expect(feed.rtpParameters).toEqual({
        codecs: [expect.objectContaining({ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 })],
        headerExtensions: [{ uri: ABS_CAPTURE_TIME_URI, id: 1 }],
        encodings: [{ ssrc: 0x1234abcd }],
        rtcp: { cname: `studio-test-${game}`, reducedSize: false },
      });

      // Runs until what is checked below is on the wire, however long a loaded machine takes.
      const startedAt = performance.now();
      await waitFor(
        `${MIN_FRAMES} frames, ${MIN_SENDER_REPORTS} sender reports and a ${expectEvent} event sent`,
        () => {
          const lastSent = receiver.frames.at(-1)?.absCaptureTimeMs ?? Number.NEGATIVE_INFINITY;
          return receiver.frames.length >= MIN_FRAMES &&
            receiver.senderReports.length >= MIN_SENDER_REPORTS &&
            events.some((e) => e.type === expectEvent && e.studioTimeMs <= lastSent)
            ? true
            : undefined;
        },
        60_000,
      );
      const stats = feed.stats();
      const runMs = performance.now() - startedAt;
      feed.close();
      feed.close();
      await waitFor('every packet sent before the close', () =>
        receiver.sequenceNumbers.length >= stats.packetsSent ? true : undefined,
      );

      expect(receiver.problems).toEqual([]);
      const frames = receiver.frames;
      expect(frames).toHaveLength(stats.framesSent);
      // Pacing: never faster than fps, and every slot of the run either rendered or counted as
      // skipped (a loaded machine skips slots, by design; it must not fall behind silently).
      expect(frames.length).toBeLessThanOrEqual(Math.ceil(runMs / PERIOD_MS) + 3);
      const slots = stats.framesRendered + stats.framesSkipped;
      expect(slots).toBeGreaterThanOrEqual(Math.floor(runMs / PERIOD_MS) - 5);
      expect(slots).toBeLessThanOrEqual(Math.ceil(runMs / PERIOD_MS) + 5);
      expect(frames[0]?.keyFrame).toBe(true);
      expect(frames.filter((f) => f.keyFrame).length).toBeGreaterThanOrEqual(Math.floor(frames.length / 15));

      // Every packet in order, no loss on loopback; PictureID +1 per frame.
      const seqs = receiver.sequenceNumbers;
      seqs.forEach((seq, i) => {
        if (i > 0) expect(seq).toBe(((seqs[i - 1] as number) + 1) & 0xffff);
      });
      frames.forEach((frame, i) => {
        if (i > 0) expect(frame.pictureId).toBe((((frames[i - 1]?.pictureId ?? 0) as number) + 1) % 0x8000);
      });

      // Sender reports: at least one per 500 ms, counts never decreasing, CNAME present.
      const srs = receiver.senderReports;
      expect(srs.length).toBeGreaterThanOrEqual(MIN_SENDER_REPORTS);
      srs.forEach((sr, i) => {
        expect(sr.ssrc).toBe(0x1234abcd);
        if (i > 0) expect(sr.packetCount).toBeGreaterThanOrEqual((srs[i - 1] as typeof sr).packetCount);
      });
      expect(receiver.rtcp.some((p) => p.type === 'sdes' && p.chunks[0]?.cname === `studio-test-${game}`)).toBe(true);
      const lastSr = srs.at(-1);
      if (!lastSr) throw new Error('no sender report');
      const mapping = { rtpTimestamp: lastSr.rtpTimestamp, studioTimeMs: lastSr.ntpMs, clockRate: 90000 };

      const decoded = (await decodeVideo({ vp8Frames: frames.map((f) => f.data) }, WIDTH, HEIGHT)).frames;
      expect(decoded).toHaveLength(frames.length);
      const captureTimes: number[] = [];
      frames.forEach((frame, i) => {
        const fromRtp = rtpToStudioTime(mapping, frame.rtpTimestamp);
        const burnedIn = decodeTimecode(decoded[i] as Buffer, WIDTH, HEIGHT);
        expect(burnedIn, `frame ${i}: timecode unreadable`).not.toBeNull();
        expect(Math.abs((burnedIn as number) - fromRtp), `frame ${i}: RTP/SR vs burned-in`).toBeLessThanOrEqual(1);
        expect(frame.absCaptureTimeMs).not.toBeNull();
        expect(
          Math.abs((frame.absCaptureTimeMs as number) - (burnedIn as number)),
          `frame ${i}: abs-capture-time`,
        ).toBeLessThan(0.001);
        // The SR in force when the frame arrived maps it the same way as the last one.
        if (frame.senderReport) {
          const earlier = {
            rtpTimestamp: frame.senderReport.rtpTimestamp,
            studioTimeMs: frame.senderReport.ntpMs,
            clockRate: 90000,
          };
          expect(Math.abs(rtpToStudioTime(earlier, frame.rtpTimestamp) - fromRtp)).toBeLessThan(0.001);
        }
        captureTimes.push(burnedIn as number);
      });

      const intervals = captureTimes.slice(1).map((t, i) => t - (captureTimes[i] as number));
      expect(intervals.every((d) => d > 0)).toBe(true);
      const median = percentile(intervals, 50);
      expect(median).toBeGreaterThanOrEqual(PERIOD_MS - 3);
      // Slots a loaded machine skipped, or frames the encoder was too busy to take, widen the
      // intervals by design (counted above); with few of them, the median is one frame period.
      const lost = stats.framesSkipped + stats.framesDropped;
      if (lost * 4 < slots) expect(median).toBeLessThanOrEqual(PERIOD_MS + 3);

      // Table events carry the capture time of the first frame that shows them (that frame is on
      // the wire unless the encoder was too busy to take it).
      const sentTimes = new Set(captureTimes);
      const interesting = events.filter((e) => e.type === expectEvent && e.studioTimeMs <= (captureTimes.at(-1) ?? 0));
      expect(interesting.length).toBeGreaterThan(0);
      if (stats.framesDropped === 0) {
        for (const event of interesting) expect(sentTimes.has(event.studioTimeMs)).toBe(true);
      } else {
        expect(interesting.some((event) => sentTimes.has(event.studioTimeMs))).toBe(true);
      }

      expect(stats.framesRendered).toBeGreaterThanOrEqual(frames.length);
      expect(stats.encoder.restarts).toBe(0);
      console.log(
        `${game}: ${frames.length} frames, ${stats.keyFramesSent} key, ${(stats.bytesSent / 1024).toFixed(0)} KiB, ` +
          `render ${stats.renderMs.mean} ms (max ${stats.renderMs.max}), readback ${stats.readbackMs.mean} ms, ` +
          `capture→send ${stats.captureToSendMs.mean} ms, ffmpeg cpu ${stats.encoder.cpuMs} ms / ${Math.round(runMs)} ms`,
      );

      const last = decoded.at(-1) as Buffer;
      const canvas = createCanvas(WIDTH, HEIGHT);
      canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(last), WIDTH, HEIGHT), 0, 0);
      writeFileSync(`/tmp/feed-${game}.png`, canvas.toBuffer('image/png'));
    });
  }
});
