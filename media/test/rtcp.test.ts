import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseRtcpCompound,
  serializeSdesCname,
  serializeSenderReport,
  serializeSenderReportCompound,
} from '../src/rtcp.js';
import { RtpTimeline, rtpToStudioTime } from '../src/rtpClock.js';

describe('sender report', () => {
  it('serialises RFC 3550 6.4.1 byte for byte', () => {
    const sr = serializeSenderReport({
      ssrc: 0x01020304,
      ntpMs: 1500,
      rtpTimestamp: 0xa0b0c0d0,
      packetCount: 7,
      octetCount: 9000,
    });
    expect(sr.toString('hex')).toBe(
      `80c80006 01020304 83aa7e81 80000000 a0b0c0d0 00000007 00002328`.replaceAll(' ', ''),
    );
  });

  it('pads the SDES CNAME chunk to a word boundary with at least one null octet', () => {
    for (const cname of ['', 'a', 'ab', 'abc', 'abcd', 'studio-table-1']) {
      const sdes = serializeSdesCname(42, cname);
      expect(sdes.length % 4).toBe(0);
      expect(sdes.readUInt16BE(2)).toBe(sdes.length / 4 - 1);
      expect(sdes[10 + cname.length]).toBe(0);
      expect(parseRtcpCompound(sdes)).toEqual([{ type: 'sdes', chunks: [{ ssrc: 42, cname }] }]);
    }
  });

  it('writes and reads a report taken after the 2036 NTP rollover', () => {
    const report = {
      ssrc: 7,
      ntpMs: Date.parse('2036-02-07T06:28:17.5Z'),
      rtpTimestamp: 1,
      packetCount: 1,
      octetCount: 1,
    };
    const sr = serializeSenderReport(report);
    expect(sr.subarray(8, 16).toString('hex')).toBe('0000000180000000');
    expect(parseRtcpCompound(sr)).toMatchObject([{ type: 'sr', report, ntp: { seconds: 1, fraction: 0x80000000 } }]);
  });

  it('parses its own compound packet back', () => {
    const report = { ssrc: 99, ntpMs: 1_760_000_000_250, rtpTimestamp: 123456, packetCount: 10, octetCount: 11_000 };
    const [sr, sdes] = parseRtcpCompound(serializeSenderReportCompound(report, 'studio-bc-1'));
    expect(sr).toMatchObject({ type: 'sr', report, blocks: [] });
    expect(sdes).toEqual({ type: 'sdes', chunks: [{ ssrc: 99, cname: 'studio-bc-1' }] });
  });
});

describe('capture clock mapping', () => {
  it('maps every frame back to its capture time exactly through any SR, across RTP wrap-around', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
        fc.array(fc.integer({ min: -600_000, max: 600_000 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: -600_000, max: 600_000 }),
        (base, origin, frameOffsets, srOffset) => {
          const timeline = new RtpTimeline(base, origin);
          const srMs = origin + srOffset;
          // What goes on the wire, and what a receiver parses back out of it.
          const [parsed] = parseRtcpCompound(
            serializeSenderReport({
              ssrc: 1,
              ntpMs: srMs,
              rtpTimestamp: timeline.rtpAt(srMs),
              packetCount: 1,
              octetCount: 1,
            }),
          );
          if (parsed?.type !== 'sr') throw new Error('no SR');
          const mapping = {
            rtpTimestamp: parsed.report.rtpTimestamp,
            studioTimeMs: parsed.report.ntpMs,
            clockRate: 90000,
          };
          for (const offset of frameOffsets) {
            const captureMs = origin + offset;
            const rtp = timeline.rtpAt(captureMs);
            expect(Math.abs(rtpToStudioTime(mapping, rtp) - captureMs)).toBeLessThan(0.001);
          }
        },
      ),
    );
  });
});

describe('incoming RTCP', () => {
  it('parses receiver reports, NACK, PLI and FIR as an SFU sends them', () => {
    const rr = Buffer.from(
      '81c90007' +
        '00000001' + // RR from ssrc 1 with one block
        '0000abcd' +
        '40000005' +
        '0001ffff' +
        '00000384' +
        '11223344' +
        '00010000',
      'hex',
    );
    const nack = Buffer.from('81cd0003' + '00000001' + '0000abcd' + 'fffe' + '0005', 'hex');
    const pli = Buffer.from('81ce0002' + '00000001' + '0000abcd', 'hex');
    const fir = Buffer.from('84ce0004' + '00000001' + '00000000' + '0000abcd' + '07000000', 'hex');
    const packets = parseRtcpCompound(Buffer.concat([rr, nack, pli, fir]));
    expect(packets).toEqual([
      {
        type: 'rr',
        ssrc: 1,
        blocks: [
          {
            ssrc: 0xabcd,
            fractionLost: 0.25,
            cumulativeLost: 5,
            highestSequence: 0x1ffff,
            jitter: 900,
            lastSr: 0x11223344,
            delaySinceLastSr: 0x10000,
          },
        ],
      },
      // PID 0xfffe, bitmask 0b101: the PID, then +1 and +3, wrapping at 16 bits.
      { type: 'nack', senderSsrc: 1, mediaSsrc: 0xabcd, lost: [0xfffe, 0xffff, 1] },
      { type: 'pli', senderSsrc: 1, mediaSsrc: 0xabcd },
      { type: 'fir', senderSsrc: 1, requests: [{ ssrc: 0xabcd, seq: 7 }] },
    ]);
  });

  it('stops at a truncated packet and keeps what came before', () => {
    const pli = Buffer.from('81ce0002' + '00000001' + '0000abcd', 'hex');
    expect(parseRtcpCompound(Buffer.concat([pli, pli.subarray(0, 8)]))).toHaveLength(1);
    expect(parseRtcpCompound(Buffer.from('00', 'hex'))).toEqual([]);
  });
});
