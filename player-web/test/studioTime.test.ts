import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type FragmentTiming,
  FragmentTimeline,
  formatStudioTime,
  hlsStudioTime,
  isStudioClockMapping,
  RtpStudioClock,
  StudioClockBook,
} from '../src/studioTime.js';

const RATE = 90_000;
const T0 = Date.UTC(2026, 0, 15, 20, 0, 0);
const mapping = (rtpTimestamp: number, studioTimeMs: number, producerId = 'p1') => ({
  producerId,
  rtpTimestamp,
  studioTimeMs,
  clockRate: RATE,
});
/** RTP timestamp `ms` after `base` on a 90 kHz clock, on the 32-bit circle. */
const rtpAfter = (base: number, ms: number) => (base + Math.round((ms * RATE) / 1000)) >>> 0;

describe('WebRTC studio time (RTP timestamp + sender-report mapping)', () => {
  it('maps frames after and before the sender report', () => {
    const clock = new RtpStudioClock();
    clock.update(mapping(1_000_000, T0));
    expect(clock.studioTimeOf(1_000_000)).toBe(T0);
    expect(clock.studioTimeOf(1_000_000 + 3000)).toBeCloseTo(T0 + 33.333, 3);
    expect(clock.studioTimeOf(1_000_000 - 9000)).toBeCloseTo(T0 - 100, 6);
  });

  it('is null until a mapping is known, and for frames without an RTP timestamp', () => {
    const book = new StudioClockBook();
    expect(book.studioTimeOf('p1', 1234)).toBeNull();
    book.update(mapping(0, T0));
    expect(book.studioTimeOf('p1', undefined)).toBeNull();
    expect(book.studioTimeOf('other', 1234)).toBeNull();
    expect(book.studioTimeOf('p1', 90)).toBeCloseTo(T0 + 1, 9);
  });

  it('crosses the 32-bit wraparound in both directions', () => {
    const clock = new RtpStudioClock();
    const base = 2 ** 32 - 45_000; // 0.5 s before the wrap
    clock.update(mapping(base, T0));
    expect(clock.studioTimeOf(rtpAfter(base, 400))).toBeCloseTo(T0 + 400, 6);
    expect(clock.studioTimeOf(44_999)).toBeCloseTo(T0 + 999.989, 2); // wrapped to a small value
    expect(clock.studioTimeOf(rtpAfter(base, 2000))).toBeCloseTo(T0 + 2000, 6);

    const other = new RtpStudioClock();
    other.update(mapping(10, T0)); // sender report just after a wrap, frame just before it
    expect(other.studioTimeOf(2 ** 32 - 80)).toBeCloseTo(T0 - 1, 9);
  });

  it('stays exact over sessions longer than the 13.25 h RTP cycle', () => {
    const clock = new RtpStudioClock();
    const base = 3_000_000_000;
    clock.update(mapping(base, T0));
    // One frame every 10 minutes for 30 hours: the timestamp wraps more than twice.
    for (let ms = 0; ms <= 30 * 3600_000; ms += 600_000) {
      expect(clock.studioTimeOf(rtpAfter(base, ms))).toBeCloseTo(T0 + ms, 3);
    }
  });

  it('property: any frame within ±6 h of its sender report maps to the right studio time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: -6 * 3600_000, max: 6 * 3600_000 }),
        (base, offsetMs) => {
          const clock = new RtpStudioClock();
          clock.update(mapping(base, T0));
          const ticks = (offsetMs * RATE) / 1000;
          return Math.abs((clock.studioTimeOf((base + ticks) >>> 0) ?? Number.NaN) - (T0 + offsetMs)) < 1e-3;
        },
      ),
    );
  });

  it('switches to a new mapping when the publisher restarts with a new RTP base', () => {
    const book = new StudioClockBook();
    const oldBase = 123_456;
    book.update(mapping(oldBase, T0));
    expect(book.studioTimeOf('p1', rtpAfter(oldBase, 5000))).toBeCloseTo(T0 + 5000, 6);

    // Restart: RTP timestamps start from a random base; the new sender report says where.
    const newBase = 3_900_000_000;
    book.update(mapping(newBase, T0 + 8000));
    expect(book.studioTimeOf('p1', rtpAfter(newBase, 40))).toBeCloseTo(T0 + 8040, 6);
    expect(book.studioTimeOf('p1', rtpAfter(newBase, 1000))).toBeCloseTo(T0 + 9000, 6);
  });

  it('keeps the previous mapping for frames captured before the new sender report', () => {
    const clock = new RtpStudioClock();
    const oldBase = 500_000;
    clock.update(mapping(oldBase, T0));
    expect(clock.studioTimeOf(rtpAfter(oldBase, 1000))).toBeCloseTo(T0 + 1000, 6);
    // The studio clock was corrected by +700 ms; RTP runs on. Frames already in the jitter buffer
    // were captured before the new report and keep the old mapping.
    clock.update(mapping(rtpAfter(oldBase, 1200), T0 + 1900));
    expect(clock.studioTimeOf(rtpAfter(oldBase, 1033))).toBeCloseTo(T0 + 1033, 6);
    expect(clock.studioTimeOf(rtpAfter(oldBase, 1066))).toBeCloseTo(T0 + 1066, 6);
    // From the report on, the new mapping rules, also for any straggler after it.
    expect(clock.studioTimeOf(rtpAfter(oldBase, 1200))).toBeCloseTo(T0 + 1900, 6);
    expect(clock.studioTimeOf(rtpAfter(oldBase, 1233))).toBeCloseTo(T0 + 1933, 6);
    expect(clock.studioTimeOf(rtpAfter(oldBase, 1180))).toBeCloseTo(T0 + 1880, 6);
  });

  it('a mapping for another producer does not touch this one', () => {
    const book = new StudioClockBook();
    book.update(mapping(0, T0, 'video'));
    book.update(mapping(0, T0 + 5000, 'audio'));
    expect(book.studioTimeOf('video', 90_000)).toBeCloseTo(T0 + 1000, 6);
    expect(book.has('audio')).toBe(true);
    book.delete('audio');
    expect(book.has('audio')).toBe(false);
  });

  it('accepts only well-formed mappings from the wire', () => {
    expect(isStudioClockMapping(mapping(1, T0))).toBe(true);
    expect(isStudioClockMapping({ ...mapping(1, T0), clockRate: 0 })).toBe(false);
    expect(isStudioClockMapping({ ...mapping(1, T0), rtpTimestamp: 2 ** 32 })).toBe(false);
    expect(isStudioClockMapping({ ...mapping(1, T0), rtpTimestamp: 1.5 })).toBe(false);
    expect(isStudioClockMapping({ ...mapping(1, T0), studioTimeMs: Number.NaN })).toBe(false);
    expect(isStudioClockMapping({ rtpTimestamp: 1, studioTimeMs: T0, clockRate: RATE })).toBe(false);
    expect(isStudioClockMapping(null)).toBe(false);
  });
});

describe('HLS studio time (EXT-X-PROGRAM-DATE-TIME)', () => {
  const frags: FragmentTiming[] = [
    { sn: 10, cc: 0, start: 100.0, duration: 0.5, programDateTime: T0 },
    { sn: 11, cc: 0, start: 100.5, duration: 0.5, programDateTime: T0 + 500 },
    { sn: 12, cc: 0, start: 101.0, duration: 0.533, programDateTime: T0 + 1000 },
    // The encoder restarted (discontinuity): the studio clock moved on by 3 s, media time did not.
    { sn: 13, cc: 1, start: 101.533, duration: 0.5, programDateTime: T0 + 4533 },
  ];

  it('adds the frame offset within its fragment to the fragment program date time', () => {
    expect(hlsStudioTime(frags, 100.0)).toBe(T0);
    expect(hlsStudioTime(frags, 100.2)).toBeCloseTo(T0 + 200, 6);
    expect(hlsStudioTime(frags, 100.5)).toBeCloseTo(T0 + 500, 6);
    expect(hlsStudioTime(frags, 101.3)).toBeCloseTo(T0 + 1300, 6);
    expect(hlsStudioTime(frags, 101.6)).toBeCloseTo(T0 + 4600, 6);
  });

  it('tolerates float noise at a fragment boundary', () => {
    expect(hlsStudioTime(frags, 100.4999999)).toBeCloseTo(T0 + 500, 3);
    expect(hlsStudioTime(frags, 99.9995)).toBe(T0);
  });

  it('is null outside the known fragments or without a program date time', () => {
    expect(hlsStudioTime(frags, 99.0)).toBeNull();
    expect(hlsStudioTime(frags, 103.0)).toBeNull();
    expect(hlsStudioTime([], 1)).toBeNull();
    expect(hlsStudioTime([{ sn: 1, cc: 0, start: 0, duration: 1, programDateTime: null }], 0.5)).toBeNull();
    // Slightly past the last fragment's end (its last frame is still on screen): still mapped.
    expect(hlsStudioTime(frags, 102.1)).toBeCloseTo(T0 + 5100, 6);
  });

  it('ignores the start hls.js moved back over a hole before a fragment (only its first frame moved)', () => {
    // The studio skipped frames before sn 11: its first frame is at 100.5 on the media timeline,
    // but hls.js closed the 170 ms hole by moving that frame (and the fragment start) to 100.33.
    const holed: FragmentTiming[] = [
      { sn: 10, cc: 0, start: 100.0, duration: 0.33, programDateTime: T0 },
      { sn: 11, cc: 0, start: 100.33, duration: 0.67, programDateTime: T0 + 500 },
      { sn: 12, cc: 0, start: 101.0, duration: 0.5, programDateTime: T0 + 1000 },
    ];
    expect(hlsStudioTime(holed, 100.7)).toBeCloseTo(T0 + 700, 6);
    expect(hlsStudioTime(holed, 100.2)).toBeCloseTo(T0 + 200, 6);
    expect(hlsStudioTime(holed, 101.2)).toBeCloseTo(T0 + 1200, 6);
    // The moved frame itself shows what was captured at 100.5.
    expect(hlsStudioTime(holed, 100.33)).toBeCloseTo(T0 + 500, 6);
  });

  it('FragmentTimeline keeps a run’s offset from its earliest fragment when a loaded studio left holes at most boundaries', () => {
    const timeline = new FragmentTimeline(8);
    // sn 0 at media 0 is studio T0. Every later fragment's first frame came after a hole hls.js
    // closed by moving it back by a different amount (10-250 ms): no two moved offsets agree.
    timeline.add({ cc: 0, sn: 0, start: 0, duration: 0.5, programDateTime: T0 });
    for (let sn = 1; sn <= 20; sn++) {
      const hole = 0.01 + ((sn * 37) % 24) / 100;
      timeline.add({ cc: 0, sn, start: sn * 0.5 - hole, duration: 0.5 + hole, programDateTime: T0 + sn * 500 });
    }
    // sn 0 has left the window; frames inside fragments still map on the true offset.
    expect(timeline.fragments.some((f) => f.sn === 0)).toBe(false);
    expect(timeline.studioTimeAt(9.7)).toBeCloseTo(T0 + 9700, 6);
    expect(timeline.studioTimeAt(8.2)).toBeCloseTo(T0 + 8200, 6);
  });

  it('FragmentTimeline keeps fragments sorted, replaces a re-buffered one, and is bounded', () => {
    const timeline = new FragmentTimeline(3);
    timeline.add({ cc: 0, sn: 2, start: 1, duration: 0.5, programDateTime: T0 + 1000 });
    timeline.add({ cc: 0, sn: 1, start: 0.52, duration: 0.5, programDateTime: T0 + 500 });
    expect(timeline.fragments.map((f) => f.sn)).toEqual([1, 2]);
    // hls.js refines a fragment's start from its parsed PTS when it is buffered again.
    timeline.add({ cc: 0, sn: 2, start: 1.02, duration: 0.5, programDateTime: T0 + 1000 });
    expect(timeline.fragments.map((f) => f.start)).toEqual([0.52, 1.02]);
    expect(timeline.studioTimeAt(1.12)).toBeCloseTo(T0 + 1100, 6);
    timeline.add({ cc: 0, sn: 3, start: 1.52, duration: 0.5, programDateTime: T0 + 1500 });
    timeline.add({ cc: 0, sn: 4, start: 2.02, duration: 0.5, programDateTime: T0 + 2000 });
    expect(timeline.fragments.map((f) => f.sn)).toEqual([2, 3, 4]);
    timeline.clear();
    expect(timeline.studioTimeAt(1.12)).toBeNull();
  });
});

describe('formatStudioTime', () => {
  it('prints UTC HH:MM:SS.mmm', () => {
    expect(formatStudioTime(Date.UTC(2026, 0, 1, 9, 5, 7, 42))).toBe('09:05:07.042');
    expect(formatStudioTime(Date.UTC(2026, 0, 1, 23, 59, 59, 999) + 0.7)).toBe('23:59:59.999');
    expect(formatStudioTime(null)).toBe('--:--:--.---');
  });
});
