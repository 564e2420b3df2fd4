/**
 * 64-bit NTP timestamps (RFC 5905 6) as RTCP sender reports and abs-capture-time carry them, and
 * Unix epoch milliseconds. NTP seconds are a uint32 that wraps on 2036-02-07T06:28:16Z (the start
 * of era 1); a timestamp says nothing of its era, so it is read with RFC 4330 3's pivot: seconds
 * with the top bit set are era 0 (1968-2036), the others era 1 (2036-2104). Pure, no I/O.
 */

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch. */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_POW_32 = 0x1_0000_0000;

export interface NtpTimestamp {
  /** uint32 seconds since the start of the NTP era (1900, then 2036-02-07T06:28:16Z). */
  readonly seconds: number;
  /** uint32 fraction of a second, in units of 2^-32 s. */
  readonly fraction: number;
}

export function unixMsToNtp(unixMs: number): NtpTimestamp {
  let seconds = Math.floor(unixMs / 1000);
  let fraction = Math.round(((unixMs - seconds * 1000) / 1000) * TWO_POW_32);
  if (fraction >= TWO_POW_32) {
    seconds += 1;
    fraction -= TWO_POW_32;
  }
  // Modulo 2^32: a time in era 1 is written as its offset from the 2036 rollover.
  return { seconds: (seconds + NTP_UNIX_OFFSET_S) >>> 0, fraction: fraction >>> 0 };
}

/** Inverse of unixMsToNtp for times between 1968-01-20 and 2104-02-26 (the RFC 4330 pivot). */
export function ntpToUnixMs({ seconds, fraction }: NtpTimestamp): number {
  const era = seconds < 0x8000_0000 ? TWO_POW_32 : 0;
  return (seconds + era - NTP_UNIX_OFFSET_S) * 1000 + (fraction / TWO_POW_32) * 1000;
}

/** The middle 32 bits of an NTP timestamp, as RTCP's LSR / DLSR fields use. */
export function ntpMiddle32({ seconds, fraction }: NtpTimestamp): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}
