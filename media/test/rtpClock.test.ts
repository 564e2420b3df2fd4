import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtpTimeline, rtpTimestampDelta, rtpToStudioTime } from '../src/rtpClock.js';

describe('RTP timestamp arithmetic', () => {
  it('measures signed distances on the 32-bit circle', () => {
    expect(rtpTimestampDelta(0xfffffff0, 0x10)).toBe(0x20);
    expect(rtpTimestampDelta(0x10, 0xfffffff0)).toBe(-0x20);
    expect(rtpTimestampDelta(5, 5)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        (a, d) => {
          expect(rtpTimestampDelta(a, (a + d) >>> 0)).toBe(d);
        },
      ),
    );
  });

  it('maps a timestamp to studio time through a sender report, across wrap-around', () => {
    const mapping = { rtpTimestamp: 0xffffff00, studioTimeMs: 1_760_000_000_000, clockRate: 90_000 };
    expect(rtpToStudioTime(mapping, 0xffffff00)).toBe(1_760_000_000_000);
    expect(rtpToStudioTime(mapping, (0xffffff00 + 90_000) >>> 0)).toBe(1_760_000_001_000);
    expect(rtpToStudioTime(mapping, 0xffffff00 - 9_000)).toBe(1_759_999_999_900);
  });

  it('advances 90 ticks per millisecond from a random base', () => {
    const timeline = new RtpTimeline(0xffffff00, 1000);
    expect(timeline.rtpAt(1000)).toBe(0xffffff00);
    expect(timeline.rtpAt(1001)).toBe(0xffffff5a);
    expect(timeline.rtpAt(1003)).toBe((0xffffff00 + 270) >>> 0);
    expect(timeline.rtpAt(1000 + 1000 / 30)).toBe(0xffffff00 + 3000 - 2 ** 32);
  });
});
