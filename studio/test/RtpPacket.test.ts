import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NTP_UNIX_OFFSET_S, msToNtp, ntpToMs } from '../src/simulator/RtpClock.js';
import {
  decodeAbsCaptureTime,
  encodeAbsCaptureTime,
  isRtcpPacket,
  parseRtpPacket,
  serializeRtpPacket,
} from '../src/simulator/RtpPacket.js';

const header = { payloadType: 96, sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, marker: true };

describe('abs-capture-time', () => {
  it('is the 64-bit NTP time (UQ32.32) of the capture instant', () => {
    expect([...encodeAbsCaptureTime(0)]).toEqual([...Buffer.from('83aa7e8000000000', 'hex')]);
    expect(NTP_UNIX_OFFSET_S).toBe(0x83aa7e80);
    // 1.5 s after the Unix epoch: fraction one half.
    expect(encodeAbsCaptureTime(1500).toString('hex')).toBe('83aa7e8180000000');
    // 250 ms: 2^32 / 4.
    expect(encodeAbsCaptureTime(250).readUInt32BE(4)).toBe(0x40000000);
  });

  it('round-trips any millisecond studio time exactly, and sub-ms times to within 1 µs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 41 }), (ms) => {
        expect(decodeAbsCaptureTime(encodeAbsCaptureTime(ms))).toBeCloseTo(ms, 6);
        expect(Math.round(ntpToMs(msToNtp(ms)))).toBe(ms);
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: 1.6e12, max: 2e12, noNaN: true }), (ms) => {
        expect(Math.abs(ntpToMs(msToNtp(ms)) - ms)).toBeLessThan(0.001);
      }),
    );
  });

  it('reads NTP era 1 (after February 2036) as such', () => {
    const ms2040 = Date.UTC(2040, 0, 1);
    const ntp = msToNtp(ms2040);
    expect(ntp.seconds).toBeLessThan(0x80000000);
    expect(ntpToMs(ntp)).toBe(ms2040);
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
    expect(withExt).toMatchObject({ ...header, csrcs: [], headerSize: 28, paddingSize: 0 });
    expect(Buffer.from(withExt.payload).toString()).toBe('vp8');
    expect(decodeAbsCaptureTime(withExt.extensions.get(1) as Uint8Array)).toBeCloseTo(1_760_000_000_123, 6);

    const plain = parseRtpPacket(serializeRtpPacket({ ...header, marker: false }, [Buffer.from('x')]));
    expect(plain).toMatchObject({ marker: false, headerSize: 12 });
    expect(plain.extensions.size).toBe(0);
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
    expect(parsed.paddingSize).toBe(2);
  });

  it('rejects malformed packets and bad extension ids', () => {
    expect(() => parseRtpPacket(Buffer.alloc(8))).toThrow(RangeError);
    expect(() => parseRtpPacket(Buffer.from('400000000000000000000000', 'hex'))).toThrow(/version/);
    expect(() => parseRtpPacket(Buffer.from('90000000000000000000000000', 'hex'))).toThrow(RangeError);
    expect(() => serializeRtpPacket(header, [], { id: 15, captureTimeMs: 0 })).toThrow(RangeError);
  });

  it('tells RTCP from RTP on a muxed port (RFC 5761)', () => {
    expect(isRtcpPacket(Buffer.from('80c80006', 'hex'))).toBe(true);
    expect(isRtcpPacket(Buffer.from('81cd0003', 'hex'))).toBe(true);
    expect(isRtcpPacket(serializeRtpPacket(header, [Buffer.from('x')]))).toBe(false);
  });
});
