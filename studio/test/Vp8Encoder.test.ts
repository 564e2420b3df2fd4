import { waitFor } from '@live-casino/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/simulator/FeedLogger.js';
import { type EncodedFrame, type EncodeResult, Vp8Encoder } from '../src/simulator/Vp8Encoder.js';

const W = 160;
const H = 90;

function frame(shade: number): Uint8Array {
  const rgba = new Uint8Array(W * H * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = shade;
    rgba[i + 1] = (i / 4) % W;
    rgba[i + 2] = 255 - shade;
    rgba[i + 3] = 255;
  }
  return rgba;
}

/**
 * Offers `count` frames 33 ms of capture time apart, each once the previous one has come out.
 * Without lookahead a frame comes out without waiting for the next one, so this never stalls; and
 * since ffmpeg has then read the previous frame, each is taken ('queued'), however slow the machine.
 * (Offered on a timer instead, a frame that finds ffmpeg still busy with the previous one is
 * dropped by design: a loaded machine, e.g. beside the live-vision acceptance run, lost one.)
 */
async function feed(encoder: Vp8Encoder, out: EncodedFrame[], count: number, firstCapture: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const before = out.length;
    expect(encoder.encode(frame((i * 9) & 0xff), firstCapture + i * 33)).toBe('queued');
    await waitFor(`encoded frame ${i} (capture ${firstCapture + i * 33})`, () =>
      out.length > before ? true : undefined,
    );
  }
}

const OPTIONS = { width: W, height: H, fps: 30, gopFrames: 5, bitrateKbps: 300, log: silentLogger };

describe('Vp8Encoder', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  it('returns each frame with its capture time, key frames every GOP, without lookahead', async () => {
    const encoder = await Vp8Encoder.create(OPTIONS);
    cleanup.push(() => encoder.close());
    const out: EncodedFrame[] = [];
    encoder.on('frame', (f) => out.push(f));
    await feed(encoder, out, 12, 1000);
    expect(out.map((f) => f.captureTimeMs)).toEqual(Array.from({ length: 12 }, (_, i) => 1000 + i * 33));
    expect(out.map((f) => f.keyFrame)).toEqual(Array.from({ length: 12 }, (_, i) => i % 5 === 0));
    expect(() => encoder.encode(new Uint8Array(10), 0)).toThrow(RangeError);
  });

  it('restarts ffmpeg after it dies and carries on with a key frame', async () => {
    const encoder = await Vp8Encoder.create({ ...OPTIONS, gopFrames: 30 });
    cleanup.push(() => encoder.close());
    const out: EncodedFrame[] = [];
    const deaths: { restartInMs: number }[] = [];
    const offeredWhileDown: EncodeResult[] = [];
    encoder.on('frame', (f) => out.push(f));
    encoder.on('died', (d) => {
      deaths.push(d);
      // Between the death and the restart (250 ms later), whatever the machine's speed.
      offeredWhileDown.push(encoder.encode(frame(1), 9999));
    });
    await feed(encoder, out, 5, 0);
    const pid = encoder.stats.pid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor('the death', () => (deaths.length > 0 ? true : undefined));
    expect(deaths).toEqual([expect.objectContaining({ signal: 'SIGKILL', restartInMs: 250 })]);
    expect(offeredWhileDown).toEqual(['down']);
    await waitFor('the restarted ffmpeg', () => {
      const { pid: now } = encoder.stats;
      return now !== null && now !== pid ? true : undefined;
    });
    expect(encoder.stats.restarts).toBe(1);
    await feed(encoder, out, 5, 10_000);
    const after = out.filter((f) => f.captureTimeMs >= 10_000);
    expect(after.map((f) => f.captureTimeMs)).toEqual([10_000, 10_033, 10_066, 10_099, 10_132]);
    expect(after[0]?.keyFrame).toBe(true);
    expect(encoder.stats.droppedDown).toBe(1);
  });

  it('fails to create when ffmpeg is missing, and closes idempotently', async () => {
    await expect(Vp8Encoder.create({ ...OPTIONS, ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toThrow(/ENOENT/);
    const encoder = await Vp8Encoder.create(OPTIONS);
    let closed = 0;
    encoder.on('closed', () => closed++);
    encoder.close();
    encoder.close();
    expect(closed).toBe(1);
    expect(encoder.encode(frame(0), 0)).toBe('down');
  });
});
