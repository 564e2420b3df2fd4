import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isVp8FrameStart,
  isVp8KeyFrame,
  isVp8KeyframeStart,
  PICTURE_ID_MODULO,
  packetizeVp8,
  parseVp8PayloadDescriptor,
  VP8_DESCRIPTOR_SIZE,
  vp8FrameInfo,
} from '../src/vp8.js';

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
      const d = parseVp8PayloadDescriptor(payload)!;
      expect(d).toMatchObject({ startOfPartition: i === 0, partitionIndex: 0, nonReference: false, pictureId: 0x1234 });
      expect(d.size).toBe(VP8_DESCRIPTOR_SIZE);
    });
  });

  it('wraps the PictureID at 15 bits', () => {
    expect(
      parseVp8PayloadDescriptor(join(packetizeVp8(frameOf(10), PICTURE_ID_MODULO - 1, 1200)[0] ?? []))?.pictureId,
    ).toBe(0x7fff);
    expect(
      parseVp8PayloadDescriptor(join(packetizeVp8(frameOf(10), PICTURE_ID_MODULO, 1200)[0] ?? []))?.pictureId,
    ).toBe(0);
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
    expect(parseVp8PayloadDescriptor(Buffer.from([0x10, 0xaa]))?.size).toBe(1);
  });

  it('refuses a truncated descriptor, or one with no VP8 data after it', () => {
    for (const bytes of [[], [0x90], [0x90, 0x80], [0x90, 0x80, 0x80], [0x90, 0x80, 0x80, 0x01], [0x90, 0x40, 0x01]]) {
      expect(parseVp8PayloadDescriptor(Buffer.from(bytes)), bytes.join(',')).toBeUndefined();
    }
    // Every prefix of a full descriptor, and the descriptor alone, is refused; one more byte is data.
    const full = [0xb3, 0xf0, 0x85, 0x42, 0x9f, 0xaa];
    for (let n = 0; n <= full.length; n++)
      expect(parseVp8PayloadDescriptor(Buffer.from(full.slice(0, n)))).toBeUndefined();
    expect(parseVp8PayloadDescriptor(Buffer.from([...full, 0x00]))).toMatchObject({ pictureId: 0x542, size: 6 });
  });

  it('finds frame starts and keyframe starts as a relay does', () => {
    const [first, second] = packetizeVp8(frameOf(3000, 0x10), 1, 1000).map(join);
    expect(isVp8FrameStart(parseVp8PayloadDescriptor(first!)!)).toBe(true);
    expect(isVp8FrameStart(parseVp8PayloadDescriptor(second!)!)).toBe(false);
    expect(isVp8KeyframeStart(first!)).toBe(true);
    expect(isVp8KeyframeStart(second!)).toBe(false);
    expect(isVp8KeyframeStart(join(packetizeVp8(frameOf(10, 0x11), 1, 1000)[0]!))).toBe(false);
    // S=1 but partition 1: not the start of a frame.
    expect(isVp8KeyframeStart(Buffer.from([0x11, 0x10]))).toBe(false);
    // The sfu test's one-packet keyframe: a 1-byte descriptor, then the frame tag.
    expect(isVp8KeyframeStart(Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a]))).toBe(true);
    expect(isVp8KeyframeStart(Buffer.from([0x90, 0x80]))).toBe(false);
  });

  it('round-trips every PictureID and fragment through the parser', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * PICTURE_ID_MODULO }), fc.integer({ min: 1, max: 5000 }), (id, size) => {
        const payloads = packetizeVp8(frameOf(size), id, 1200).map(join);
        payloads.forEach((payload, i) => {
          expect(parseVp8PayloadDescriptor(payload)).toEqual({
            nonReference: false,
            startOfPartition: i === 0,
            partitionIndex: 0,
            pictureId: id % PICTURE_ID_MODULO,
            tl0PicIdx: null,
            temporalLayer: null,
            layerSync: false,
            keyIndex: null,
            size: VP8_DESCRIPTOR_SIZE,
          });
        });
      }),
    );
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

  it('reads the coded size of a keyframe (RFC 6386 9.1)', () => {
    const key = Buffer.from([0x10, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x41]);
    // The top 2 bits of each size are the scaling mode, not size.
    expect(vp8FrameInfo(key)).toEqual({ keyframe: true, width: 640, height: 360 });
    expect(vp8FrameInfo(Buffer.from([0x11, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01]))).toEqual({
      keyframe: false,
    });
    expect(vp8FrameInfo(key.subarray(0, 9))).toEqual({ keyframe: false });
    expect(vp8FrameInfo(new Uint8Array())).toEqual({ keyframe: false });
  });
});
