import { describe, expect, it } from 'vitest';
import { firstVideoPts, ptsSeconds } from '../src/mpegts.js';

/** One 188-byte TS packet carrying the start of a PES of `streamId` with `pts`. */
function pesPacket(streamId: number, pts: number, adaptationBytes = 0): Uint8Array {
  const p = new Uint8Array(188).fill(0xff);
  p[0] = 0x47;
  p[1] = 0x40 | 0x01; // payload unit start, PID 0x100
  p[2] = 0x00;
  let at = 4;
  if (adaptationBytes > 0) {
    p[3] = 0x30;
    p[4] = adaptationBytes - 1;
    at += adaptationBytes;
  } else {
    p[3] = 0x10;
  }
  p.set([0, 0, 1, streamId, 0, 0, 0x80, 0x80, 5], at);
  const hi = Math.floor(pts / 2 ** 30) & 0x7;
  const mid = Math.floor(pts / 2 ** 15) & 0x7fff;
  const lo = pts & 0x7fff;
  p.set([0x21 | (hi << 1), mid >> 7, ((mid & 0x7f) << 1) | 1, lo >> 7, ((lo & 0x7f) << 1) | 1], at + 9);
  return p;
}

describe('MPEG-TS first video PTS', () => {
  it('reads the PTS of the first video PES, skipping audio and adaptation fields', () => {
    const pts = 2 ** 32 + 123_456_789;
    const ts = new Uint8Array([...pesPacket(0xc0, 5), ...pesPacket(0xe0, pts, 8)]);
    expect(firstVideoPts(ts)).toBe(pts);
  });

  it('answers null for no video, lost sync or a truncated head', () => {
    expect(firstVideoPts(pesPacket(0xc0, 5))).toBeNull();
    const bad = pesPacket(0xe0, 5);
    bad[0] = 0x00;
    expect(firstVideoPts(bad)).toBeNull();
    expect(firstVideoPts(pesPacket(0xe0, 5).subarray(0, 100))).toBeNull();
  });

  it('measures PTS distances across the 33-bit wrap', () => {
    expect(ptsSeconds(90_000, 135_000)).toBe(0.5);
    expect(ptsSeconds(2 ** 33 - 45_000, 45_000)).toBe(1);
    expect(ptsSeconds(135_000, 90_000)).toBe(-0.5);
  });
});
