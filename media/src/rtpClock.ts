/**
 * RTP media clock arithmetic: a 32-bit timestamp that wraps, mapped to the sender's wall clock by
 * the (NTP, RTP) pair of its last RTCP sender report (RFC 3550 6.4.1). Pure, no I/O, and free of
 * Node APIs: the player app runs it in the browser.
 */

export const VIDEO_CLOCK_RATE = 90_000;

/** An RTP timestamp and the sender's wall-clock time (Unix ms) of the same instant. */
export interface RtpClockMapping {
  readonly rtpTimestamp: number;
  readonly studioTimeMs: number;
  readonly clockRate: number;
}

/** Signed distance from `from` to `to` on the 32-bit RTP timestamp circle. */
export function rtpTimestampDelta(from: number, to: number): number {
  return ((to - from + 2 ** 31) >>> 0) - 2 ** 31;
}

/** Studio capture time of an RTP timestamp under a sender-report mapping. */
export function rtpToStudioTime(mapping: RtpClockMapping, rtpTimestamp: number): number {
  return mapping.studioTimeMs + (rtpTimestampDelta(mapping.rtpTimestamp, rtpTimestamp) * 1000) / mapping.clockRate;
}

/**
 * Maps studio time to RTP timestamps: `rtp = base + round((ms - originMs) * 90)` modulo 2^32. The
 * random base (RFC 3550 5.1) hides the wall clock; the origin keeps the products small and exact.
 * One timeline serves both the frames and the RTP field of sender reports, so a receiver applying
 * RFC 3550 6.4.1 to any packet gets the frame's capture time back exactly.
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
