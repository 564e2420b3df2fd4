/**
 * Studio time (Unix epoch ms) on the wire: the 90 kHz RTP media clock and 64-bit NTP timestamps.
 * One mapping serves both the RTP timestamps of frames and the RTP field of sender reports, so a
 * receiver applying RFC 3550 6.4.1 to any packet gets the frame's capture time back exactly.
 */

export const VIDEO_CLOCK_RATE = 90_000;
/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch. */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_POW_32 = 0x1_0000_0000;

export interface NtpTimestamp {
  /** uint32 seconds since 1900 (era 0; wraps in 2036). */
  readonly seconds: number;
  /** uint32 fraction of a second, in units of 2^-32 s. */
  readonly fraction: number;
}

export function msToNtp(unixMs: number): NtpTimestamp {
  let seconds = Math.floor(unixMs / 1000);
  let fraction = Math.round(((unixMs - seconds * 1000) / 1000) * TWO_POW_32);
  if (fraction >= TWO_POW_32) {
    seconds += 1;
    fraction -= TWO_POW_32;
  }
  return { seconds: (seconds + NTP_UNIX_OFFSET_S) >>> 0, fraction: fraction >>> 0 };
}

/** Inverse of msToNtp; NTP seconds below 2^31 are taken as era 1 (after Feb 2036), per RFC 4330. */
export function ntpToMs({ seconds, fraction }: NtpTimestamp): number {
  const era = seconds < 0x8000_0000 ? TWO_POW_32 : 0;
  return (seconds + era - NTP_UNIX_OFFSET_S) * 1000 + (fraction / TWO_POW_32) * 1000;
}

/** The middle 32 bits of an NTP timestamp, as RTCP's LSR / DLSR fields use. */
export function ntpMiddle32({ seconds, fraction }: NtpTimestamp): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/**
 * Maps studio time to RTP timestamps: `rtp = base + round((ms - originMs) * 90)` modulo 2^32. The
 * random base (RFC 3550 5.1) hides the wall clock; the origin keeps the products small and exact.
 */
export class RtpTimeline {
  readonly base: number;
  readonly originMs: number;
  readonly clockRate: number;

  constructor(base: number, originMs: number, clockRate = VIDEO_CLOCK_RATE) {
    this.base = base >>> 0;
    this.originMs = originMs;
    this.clockRate = clockRate;
  }

  rtpAt(studioTimeMs: number): number {
    return (this.base + Math.round(((studioTimeMs - this.originMs) * this.clockRate) / 1000)) >>> 0;
  }
}

/**
 * What a receiver does with a sender report (RFC 3550 6.4.1): the studio time of an RTP timestamp,
 * given the (NTP, RTP) pair of the last SR. Handles wrap-around of the 32-bit RTP clock.
 */
export function rtpToStudioMs(
  rtpTimestamp: number,
  report: { ntpMs: number; rtpTimestamp: number },
  clockRate = VIDEO_CLOCK_RATE,
): number {
  const delta = (rtpTimestamp - report.rtpTimestamp) | 0;
  return report.ntpMs + (delta * 1000) / clockRate;
}
