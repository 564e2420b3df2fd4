import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentile, round, summarize } from '../src/percentiles.js';
import {
  cpuPercentBetween,
  parseProcStat,
  parseProcStatCpuTicks,
  processCpuMsSync,
  readProcStatSync,
} from '../src/processCpu.js';

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([4, 1, 3, 2], 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
    expect(percentile([10], 95)).toBe(10);
    // 0..100: rank 0.95 * 100 = 95 exactly.
    expect(
      percentile(
        Array.from({ length: 101 }, (_, i) => i),
        95,
      ),
    ).toBe(95);
    expect(percentile([0, 10], 95)).toBeCloseTo(9.5);
  });

  it('is NaN without data and ignores non-finite values', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([Number.NaN, 3, Number.POSITIVE_INFINITY, 1], 50)).toBe(2);
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('lies within the data and grows with p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p, q) => {
          const [lo, hi] = p <= q ? [p, q] : [q, p];
          const a = percentile(values, lo);
          const b = percentile(values, hi);
          expect(a).toBeGreaterThanOrEqual(Math.min(...values));
          expect(b).toBeLessThanOrEqual(Math.max(...values));
          expect(a).toBeLessThanOrEqual(b + 1e-9);
        },
      ),
    );
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('gives count, min, p50, p95, max and mean', () => {
    expect(summarize([300, 100, 200])).toEqual({ count: 3, min: 100, p50: 200, p95: 290, max: 300, mean: 200 });
  });

  it('is all NaN for no data, and round() turns NaN into null', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(round(s.p50)).toBeNull();
    expect(round(12.345, 1)).toBe(12.3);
    expect(round(12.35, 0)).toBe(12);
  });
});

describe('process cpu from /proc', () => {
  // Fields after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
  const stat = (name: string, utime: number, stime: number): string =>
    `4242 (${name}) S 1 4242 4242 0 -1 4194560 1000 0 0 0 ${utime} ${stime} 0 0 20 0 5 0 12345 0 0`;

  it('reads utime + stime, whatever the command name holds', () => {
    expect(parseProcStatCpuTicks(stat('mediasoup-worker', 150, 50))).toBe(200);
    expect(parseProcStatCpuTicks(stat('odd) name (x', 7, 3))).toBe(10);
    expect(() => parseProcStatCpuTicks('garbage')).toThrow();
  });

  it('reads the state (zombies are Z) and the CPU time, synchronously too', () => {
    expect(parseProcStat(stat('postgres', 1, 2).replace(' S ', ' Z '))).toEqual({
      state: 'Z',
      utimeTicks: 1,
      stimeTicks: 2,
    });
    expect(readProcStatSync(process.pid)?.state).toMatch(/^[RSD]$/);
    expect(processCpuMsSync(process.pid)).toBeGreaterThan(0);
    expect(readProcStatSync(2 ** 30)).toBeUndefined();
    expect(processCpuMsSync(2 ** 30)).toBeNull();
  });

  it('reads this process', async () => {
    const { readCpuTicks } = await import('../src/processCpu.js');
    expect(await readCpuTicks(process.pid)).toBeGreaterThan(0);
  });

  it('turns two samples into percent of one core per pid', () => {
    const before = {
      at: 1000,
      ticks: new Map([
        [1, 100],
        [2, 0],
        [3, 5],
      ]),
    };
    const after = {
      at: 3000,
      ticks: new Map([
        [1, 300],
        [2, 50],
      ]),
    };
    // pid 1: 200 ticks = 2 s of cpu in 2 s wall = 100 %; pid 2: 0.5 s in 2 s = 25 %; pid 3 gone.
    expect(cpuPercentBetween(before, after)).toEqual(
      new Map([
        [1, 100],
        [2, 25],
      ]),
    );
    expect(cpuPercentBetween(after, after).size).toBe(0);
  });
});
