import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PICTURE_ID_MODULO,
  VP8_DESCRIPTOR_SIZE,
  isVp8KeyFrame,
  packetizeVp8,
  parseVp8PayloadDescriptor,
} from '../src/simulator/Vp8Packetizer.js';

const frameOf = (size: number, first = 0x10): Buffer => {
  const frame = Buffer.alloc(size);
  for (let i = 0; i < size; i++) frame[i] = (i * 31 + 7) & 0xff;
  frame[0] = first;
  return frame;
};
const join = (payload: Buffer[]): Buffer => Buffer.concat(payload);

describe('VP8 payload descriptor (RFC 7741)', () => {
  it('writes X=1, S on the first packet only, PID 0, I=1 and a 15-bit PictureID with M=1', () => {
    const payloads = packetizeVp8(frameOf(3000), 0x1234, 1000).map(join);
    expect(payloads.length).toBe(4);
    payloads.forEach((payload, i) => {
      expect(payload[0]).toBe(i === 0 ? 0x90 : 0x80);
      expect(payload[1]).toBe(0x80);
      expect(payload[2]).toBe(0x80 | 0x12);
      expect(payload[3]).toBe(0x34);
      const d = parseVp8PayloadDescriptor(payload);
      expect(d).toMatchObject({ startOfPartition: i === 0, partitionIndex: 0, nonReference: false, pictureId: 0x1234 });
      expect(d.size).toBe(VP8_DESCRIPTOR_SIZE);
    });
  });

  it('wraps the PictureID at 15 bits', () => {
    expect(
      parseVp8PayloadDescriptor(join(packetizeVp8(frameOf(10), PICTURE_ID_MODULO - 1, 1200)[0] ?? [])).pictureId,
    ).toBe(0x7fff);
    expect(parseVp8PayloadDescriptor(join(packetizeVp8(frameOf(10), PICTURE_ID_MODULO, 1200)[0] ?? [])).pictureId).toBe(
      0,
    );
  });

  it('parses descriptors other senders write: 7-bit PictureID, TL0PICIDX, TID/KEYIDX', () => {
    const d = parseVp8PayloadDescriptor(Buffer.from([0xb3, 0xf0, 0x05, 0x42, 0x9f, 0xaa]));
    expect(d).toEqual({
      nonReference: true,
      startOfPartition: true,
      partitionIndex: 3,
      pictureId: 5,
      tl0PicIdx: 0x42,
      temporalLayer: 2,
      layerSync: false,
      keyIndex: 0x1f,
      size: 5,
    });
    expect(parseVp8PayloadDescriptor(Buffer.from([0x10, 0xaa])).size).toBe(1);
    expect(() => parseVp8PayloadDescriptor(Buffer.from([0x90, 0x80]))).toThrow(RangeError);
  });
});

describe('fragmentation', () => {
  it('splits into balanced fragments no bigger than the payload budget that reassemble to the frame', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 20, max: 1400 }), (size, maxPayload) => {
        const frame = frameOf(size);
        const payloads = packetizeVp8(frame, 7, maxPayload);
        const budget = maxPayload - VP8_DESCRIPTOR_SIZE;
        expect(payloads.length).toBe(Math.ceil(size / budget));
        const sizes = payloads.map((p) => (p[1] as Buffer).length);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(budget);
        // Balanced: fragments differ by at most the rounding of an even split.
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(payloads.length);
        expect(Buffer.concat(payloads.map((p) => p[1] as Buffer)).equals(frame)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('sends a small frame in one packet and refuses nonsense', () => {
    expect(packetizeVp8(frameOf(100), 1, 1200)).toHaveLength(1);
    expect(() => packetizeVp8(Buffer.alloc(0), 1, 1200)).toThrow(RangeError);
    expect(() => packetizeVp8(frameOf(10), 1, 4)).toThrow(RangeError);
  });

  it('tells key frames from the inverse key-frame bit', () => {
    expect(isVp8KeyFrame(frameOf(10, 0x10))).toBe(true);
    expect(isVp8KeyFrame(frameOf(10, 0x11))).toBe(false);
    expect(isVp8KeyFrame(Buffer.alloc(0))).toBe(false);
  });
});
