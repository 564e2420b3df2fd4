import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/simulator/FeedLogger.js';
import { type EncodedFrame, Vp8Encoder } from '../src/simulator/Vp8Encoder.js';

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

async function feed(encoder: Vp8Encoder, count: number, firstCapture: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    encoder.encode(frame((i * 9) & 0xff), firstCapture + i * 33);
    await sleep(33);
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
    await feed(encoder, 12, 1000);
    await sleep(300);
    expect(out.map((f) => f.captureTimeMs)).toEqual(Array.from({ length: 12 }, (_, i) => 1000 + i * 33));
    expect(out.map((f) => f.keyFrame)).toEqual(Array.from({ length: 12 }, (_, i) => i % 5 === 0));
    expect(() => encoder.encode(new Uint8Array(10), 0)).toThrow(RangeError);
  });

  it('restarts ffmpeg after it dies and carries on with a key frame', async () => {
    const encoder = await Vp8Encoder.create({ ...OPTIONS, gopFrames: 30 });
    cleanup.push(() => encoder.close());
    const out: EncodedFrame[] = [];
    const deaths: { restartInMs: number }[] = [];
    encoder.on('frame', (f) => out.push(f));
    encoder.on('died', (d) => deaths.push(d));
    await feed(encoder, 5, 0);
    const pid = encoder.stats.pid as number;
    process.kill(pid, 'SIGKILL');
    await sleep(100);
    expect(deaths).toEqual([expect.objectContaining({ signal: 'SIGKILL', restartInMs: 250 })]);
    expect(encoder.encode(frame(1), 9999)).toBe('down');
    await sleep(400);
    expect(encoder.stats.pid).not.toBe(pid);
    expect(encoder.stats.restarts).toBe(1);
    await feed(encoder, 5, 10_000);
    await sleep(300);
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
