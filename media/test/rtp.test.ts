import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAbsCaptureTime,
  encodeAbsCaptureTime,
  isRtcp,
  parseRtpHeader,
  parseRtpPacket,
  serializeRtpPacket,
} from '../src/rtp.js';

const header = { payloadType: 96, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, marker: true };

describe('abs-capture-time', () => {
  it('is the 64-bit NTP time (UQ32.32) of the capture instant', () => {
    expect([...encodeAbsCaptureTime(0)]).toEqual([...Buffer.from('83aa7e8000000000', 'hex')]);
    expect(encodeAbsCaptureTime(1500).toString('hex')).toBe('83aa7e8180000000');
    expect(encodeAbsCaptureTime(Date.parse('2036-02-07T06:28:16Z')).toString('hex')).toBe('0000000000000000');
  });

  it('round-trips any millisecond studio time, and reads the 16-byte form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 41 }), (ms) => {
        expect(decodeAbsCaptureTime(encodeAbsCaptureTime(ms))).toBeCloseTo(ms, 6);
      }),
    );
    const withOffset = Buffer.concat([encodeAbsCaptureTime(1500), Buffer.alloc(8, 0xff)]);
    expect(decodeAbsCaptureTime(withOffset)).toBe(1500);
    expect(() => decodeAbsCaptureTime(Buffer.alloc(4))).toThrow(RangeError);
  });
});

describe('RTP packet', () => {
  it('lays out the header and the one-byte-header extension block byte for byte', () => {
    const packet = serializeRtpPacket(header, [Buffer.from([1, 2]), Buffer.from([3])], { id: 5, captureTimeMs: 1500 });
    expect(packet.subarray(0, 12).toString('hex')).toBe('90e0fffffffffff0deadbeef');
    expect(packet.subarray(12, 28).toString('hex')).toBe(`bede0003${'57'}83aa7e8180000000${'000000'}`);
    expect([...packet.subarray(28)]).toEqual([1, 2, 3]);
  });

  it('parses back what it writes, with and without the extension', () => {
    const withExt = parseRtpPacket(
      serializeRtpPacket(header, [Buffer.from('vp8')], { id: 1, captureTimeMs: 1_760_000_000_123 }),
    );
    expect(withExt).toMatchObject({ ...header, csrcs: [], payloadOffset: 28, payloadEnd: 31 });
    expect(Buffer.from(withExt.payload).toString()).toBe('vp8');
    expect(decodeAbsCaptureTime(withExt.extensions.get(1) as Uint8Array)).toBeCloseTo(1_760_000_000_123, 6);

    const plain = parseRtpPacket(serializeRtpPacket({ ...header, marker: false }, [Buffer.from('x')]));
    expect(plain).toMatchObject({ marker: false, payloadOffset: 12 });
    expect(plain.extensions.size).toBe(0);
  });

  it('round-trips any header and payload through both parsers', () => {
    fc.assert(
      fc.property(
        fc.record({
          payloadType: fc.integer({ min: 0, max: 127 }).filter((pt) => pt < 64 || pt > 95),
          sequenceNumber: fc.integer({ min: 0, max: 0xffff }),
          timestamp: fc.integer({ min: 0, max: 0xffffffff }),
          ssrc: fc.integer({ min: 0, max: 0xffffffff }),
          marker: fc.boolean(),
        }),
        fc.uint8Array({ maxLength: 1200 }),
        fc.option(
          fc.record({
            id: fc.integer({ min: 1, max: 14 }),
            captureTimeMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
          }),
        ),
        (fields, payload, ext) => {
          const packet = serializeRtpPacket(fields, [payload], ext ?? undefined);
          const h = parseRtpHeader(packet);
          expect(h).toMatchObject(fields);
          expect([...packet.subarray(h!.payloadOffset, h!.payloadEnd)]).toEqual([...payload]);
          const parsed = parseRtpPacket(packet);
          expect([...parsed.payload]).toEqual([...payload]);
          if (ext) expect(decodeAbsCaptureTime(parsed.extensions.get(ext.id)!)).toBeCloseTo(ext.captureTimeMs, 6);
          else expect(parsed.extensions.size).toBe(0);
        },
      ),
    );
  });

  it('parses two-byte extension headers, CSRCs and padding from other senders', () => {
    const packet = Buffer.from(
      'b1' + // V=2, P=1, X=1, CC=1
        '60' + // PT 96
        '0001' +
        '00000002' +
        '00000003' +
        '00000004' + // seq, ts, ssrc, csrc
        '1000' +
        '0002' +
        '0703aabbcc' +
        '000000' + // two-byte profile, id 7 len 3, padding
        'cafe' +
        '0002', // payload, 2 bytes of RTP padding
      'hex',
    );
    const parsed = parseRtpPacket(packet);
    expect(parsed.csrcs).toEqual([4]);
    expect(Buffer.from(parsed.extensions.get(7) as Uint8Array).toString('hex')).toBe('aabbcc');
    expect(Buffer.from(parsed.payload).toString('hex')).toBe('cafe');
    expect(packet.length - parsed.payloadEnd).toBe(2);
    expect(parseRtpHeader(packet)).toMatchObject({ payloadOffset: 28, payloadEnd: 30 });
  });

  it('refuses RTCP, other versions, and truncated or malformed packets', () => {
    expect(parseRtpHeader(Buffer.from([0x80, 200, 0, 6]))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from('80c8000600000000000000000000', 'hex'))).toBeUndefined();
    expect(parseRtpHeader(Buffer.alloc(11))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from('not an rtp packet at all'))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from('400000000000000000000000', 'hex'))).toBeUndefined();
    // X set but no room for the extension header; padding longer than the packet; padding of 0.
    expect(parseRtpHeader(Buffer.from('90000000000000000000000000', 'hex'))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from('a000000000000000000000000020', 'hex'))).toBeUndefined();
    expect(parseRtpHeader(Buffer.from('a000000000000000000000000000', 'hex'))).toBeUndefined();
    // A one-byte element longer than its block.
    expect(() => parseRtpPacket(Buffer.from('900000000000000000000000bede000113aabbccdd', 'hex'))).toThrow(RangeError);
    expect(() => parseRtpPacket(Buffer.alloc(8))).toThrow(RangeError);
    expect(() => parseRtpPacket(Buffer.from('400000000000000000000000', 'hex'))).toThrow(RangeError);
    expect(() => serializeRtpPacket(header, [], { id: 15, captureTimeMs: 0 })).toThrow(RangeError);
  });

  it('tells RTCP from RTP on a muxed port (RFC 5761)', () => {
    expect(isRtcp(Buffer.from('80c80006', 'hex'))).toBe(true);
    expect(isRtcp(Buffer.from('81cd0003', 'hex'))).toBe(true);
    expect(isRtcp(serializeRtpPacket(header, [Buffer.from('x')]))).toBe(false);
    expect(isRtcp(Buffer.from('80', 'hex'))).toBe(false);
  });
});
