import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NTP_UNIX_OFFSET_S, ntpMiddle32, ntpToUnixMs, unixMsToNtp } from '../src/ntp.js';

/** 2036-02-07T06:28:16Z: NTP seconds wrap from 2^32 - 1 to 0, era 0 ends and era 1 begins. */
const ERA_1_MS = Date.parse('2036-02-07T06:28:16Z');

describe('NTP timestamps', () => {
  it('puts the Unix epoch at 2,208,988,800 s after 1900', () => {
    expect(NTP_UNIX_OFFSET_S).toBe(0x83aa7e80);
    expect(unixMsToNtp(0)).toEqual({ seconds: 0x83aa7e80, fraction: 0 });
    // 1.5 s: fraction one half; 250 ms: 2^32 / 4.
    expect(unixMsToNtp(1500)).toEqual({ seconds: 0x83aa7e81, fraction: 0x80000000 });
    expect(unixMsToNtp(250).fraction).toBe(0x40000000);
    expect(ntpToUnixMs({ seconds: 0x83aa7e81, fraction: 0x80000000 })).toBe(1500);
  });

  it('wraps to era 1 on 2036-02-07T06:28:16Z and reads either side of it', () => {
    expect(ERA_1_MS).toBe((2 ** 32 - NTP_UNIX_OFFSET_S) * 1000);
    expect(unixMsToNtp(ERA_1_MS)).toEqual({ seconds: 0, fraction: 0 });
    expect(unixMsToNtp(ERA_1_MS - 1000)).toEqual({ seconds: 0xffffffff, fraction: 0 });
    expect(unixMsToNtp(ERA_1_MS - 500)).toEqual({ seconds: 0xffffffff, fraction: 0x80000000 });
    expect(unixMsToNtp(ERA_1_MS + 1500)).toEqual({ seconds: 1, fraction: 0x80000000 });
    for (const ms of [ERA_1_MS - 1000, ERA_1_MS - 1, ERA_1_MS, ERA_1_MS + 1, ERA_1_MS + 1500]) {
      expect(ntpToUnixMs(unixMsToNtp(ms))).toBeCloseTo(ms, 6);
    }
  });

  it('reads dates from the 1990s to 2100 in their era', () => {
    for (const iso of [
      '1990-01-01T00:00:00Z',
      '1999-12-31T23:59:59.999Z',
      '2026-12-05T12:00:00.250Z',
      '2036-02-07T06:28:15.999Z',
      '2036-02-07T06:28:16.001Z',
      '2040-01-01T00:00:00Z',
      '2100-03-01T00:00:00.5Z',
    ]) {
      const ms = Date.parse(iso);
      const ntp = unixMsToNtp(ms);
      expect(ntp.seconds >= 0x80000000, iso).toBe(ms < ERA_1_MS);
      expect(new Date(Math.round(ntpToUnixMs(ntp))).toISOString(), iso).toBe(new Date(ms).toISOString());
    }
  });

  it('round-trips every millisecond between 1968 and 2104 exactly, and sub-ms times to within 1 µs', () => {
    // The RFC 4330 pivot: 2^31 s either side of the 2036 rollover.
    const first = ERA_1_MS - 2 ** 31 * 1000;
    const last = ERA_1_MS + 2 ** 31 * 1000 - 1;
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (ms) => {
        const ntp = unixMsToNtp(ms);
        expect(ntp.seconds).toBe(ntp.seconds >>> 0);
        expect(ntp.fraction).toBe(ntp.fraction >>> 0);
        expect(Math.round(ntpToUnixMs(ntp))).toBe(ms);
      }),
      { examples: [[first], [last], [ERA_1_MS - 1], [ERA_1_MS], [0]] },
    );
    fc.assert(
      fc.property(fc.double({ min: first, max: last, noNaN: true }), (ms) => {
        expect(Math.abs(ntpToUnixMs(unixMsToNtp(ms)) - ms)).toBeLessThan(0.001);
      }),
    );
  });

  it('orders timestamps on either side of the rollover as the times they stand for', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: ERA_1_MS - 86_400_000, max: ERA_1_MS + 86_400_000 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (ms, later) => {
          expect(ntpToUnixMs(unixMsToNtp(ms + later)) - ntpToUnixMs(unixMsToNtp(ms))).toBeCloseTo(later, 3);
        },
      ),
    );
  });

  it('takes the middle 32 bits for RTCP LSR, across the rollover too', () => {
    expect(ntpMiddle32(unixMsToNtp(1500))).toBe(((0x7e81 << 16) | 0x8000) >>> 0);
    expect(ntpMiddle32(unixMsToNtp(ERA_1_MS - 500))).toBe(0xffff8000);
    expect(ntpMiddle32(unixMsToNtp(ERA_1_MS + 1500))).toBe(0x00018000);
  });
});
