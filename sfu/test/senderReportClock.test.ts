import { serializeSenderReport } from '@live-casino/media';
import type { types as ms } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { clockFromSenderReport } from '../src/TableMedia.js';

const producer = { id: 'camera-1', rtpParameters: { codecs: [{ clockRate: 90_000 }] } } as unknown as ms.Producer;

/** What mediasoup's `sr` trace event carries for a sender report, read from the bytes a studio sends. */
function traceInfo(unixMs: number, rtpTs: number): { ntpSec: number; ntpFrac: number; rtpTs: number } {
  const sr = serializeSenderReport({ ssrc: 1, ntpMs: unixMs, rtpTimestamp: rtpTs, packetCount: 0, octetCount: 0 });
  return { ntpSec: sr.readUInt32BE(8), ntpFrac: sr.readUInt32BE(12), rtpTs: sr.readUInt32BE(16) };
}

describe('studio clock from sender reports', () => {
  it('maps the NTP time of a report to studio time, on either side of the 2036 rollover', () => {
    for (const iso of [
      '1999-12-31T23:59:59.500Z',
      '2026-12-05T12:00:00.250Z',
      '2036-02-07T06:28:15.750Z',
      '2036-02-07T06:28:16Z',
      '2036-02-07T06:28:17.500Z',
      '2100-01-01T00:00:00Z',
    ]) {
      const mapping = clockFromSenderReport(producer, traceInfo(Date.parse(iso), 0xfffffff0));
      expect(mapping, iso).toEqual({
        producerId: 'camera-1',
        rtpTimestamp: 0xfffffff0,
        studioTimeMs: Date.parse(iso),
        clockRate: 90_000,
      });
    }
  });

  it('ignores trace info that is not a sender report', () => {
    expect(clockFromSenderReport(producer, undefined)).toBeUndefined();
    expect(clockFromSenderReport(producer, { ntpSec: 1 })).toBeUndefined();
  });
});
