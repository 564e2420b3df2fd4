/**
 * The studio clock: wall-clock milliseconds at which a frame was captured in the studio. It rides
 * on RTP timestamps (the sfu forwards them unchanged) through a mapping learned from the
 * publisher's RTCP sender reports (RFC 3550 6.4.1), and on EXT-X-PROGRAM-DATE-TIME for HLS.
 */
import type { StudioClockMapping } from './sfuSignalling.js';

/** NTP (RFC 3550) seconds between 1900 and the Unix epoch. */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;

export function ntpToUnixMs(ntpSec: number, ntpFrac: number): number {
  return (ntpSec - NTP_UNIX_OFFSET_S) * 1000 + (ntpFrac / 2 ** 32) * 1000;
}

/** Signed distance from `from` to `to` on the 32-bit RTP timestamp circle. */
export function rtpTimestampDelta(from: number, to: number): number {
  return ((to - from + 2 ** 31) >>> 0) - 2 ** 31;
}

/** Studio capture time of an RTP timestamp under a sender-report mapping. */
export function rtpToStudioTime(
  mapping: Pick<StudioClockMapping, 'rtpTimestamp' | 'studioTimeMs' | 'clockRate'>,
  rtpTimestamp: number,
): number {
  return mapping.studioTimeMs + (rtpTimestampDelta(mapping.rtpTimestamp, rtpTimestamp) * 1000) / mapping.clockRate;
}
