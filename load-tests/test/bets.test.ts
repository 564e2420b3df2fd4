import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditSettlements,
  betOffsetsMs,
  mergeTallies,
  mulberry32,
  numberFlag,
  pickBet,
  tally,
} from '../src/bets/betPlan.js';

const SHAPE = { windowMs: 10_000, burstShare: 0.3, burstMs: 1000, marginMs: 50 };

describe('betOffsetsMs', () => {
  it('puts the burst share in the last second before the margin, the rest before it', () => {
    const offsets = betOffsetsMs(5000, SHAPE, mulberry32(7));
    expect(offsets).toHaveLength(5000);
    const burst = offsets.filter((o) => o >= 8950);
    expect(burst).toHaveLength(1500);
    expect(Math.max(...offsets)).toBeLessThan(9950);
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
  });

  it('stays within the window for any shape', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 2000, max: 60_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        (count, windowMs, burstShare, seed) => {
          const shape = { windowMs, burstShare, burstMs: 1000, marginMs: 50 };
          const offsets = betOffsetsMs(count, shape, mulberry32(seed));
          expect(offsets).toHaveLength(count);
          for (const o of offsets) expect(o >= 0 && o < windowMs - 50).toBe(true);
          expect(offsets.filter((o) => o >= windowMs - 1050).length).toBeGreaterThanOrEqual(
            Math.round(count * burstShare),
          );
        },
      ),
    );
  });

  it('refuses a window shorter than its burst and margin', () => {
    expect(() => betOffsetsMs(1, { ...SHAPE, windowMs: 1000 }, mulberry32(1))).toThrow(RangeError);
    expect(() => betOffsetsMs(1, { ...SHAPE, burstShare: 1.5 }, mulberry32(1))).toThrow(RangeError);
  });
});

describe('pickBet', () => {
  it('picks roulette bets within the default table limits', () => {
    const random = mulberry32(3);
    for (let i = 0; i < 1000; i++) {
      const { bet, stake } = pickBet(random);
      expect(Number.isInteger(stake)).toBe(true);
      if (bet.type === 'straight') {
        expect(stake).toBeGreaterThanOrEqual(10);
        expect(stake).toBeLessThanOrEqual(10_000);
        expect(bet.numbers[0]).toBeGreaterThanOrEqual(0);
        expect(bet.numbers[0]).toBeLessThanOrEqual(36);
      } else {
        expect(stake).toBeGreaterThanOrEqual(100);
        expect(stake).toBeLessThanOrEqual(100_000);
      }
    }
  });
});

describe('auditSettlements', () => {
  it('counts missing and unsettled bets as lost, and more than one settlement as double', () => {
    expect(
      auditSettlements([
        { present: true, status: 'won', settlements: 1 },
        { present: true, status: 'lost', settlements: 1 },
        { present: false, status: null, settlements: 0 },
        { present: true, status: 'placed', settlements: 0 },
        { present: true, status: 'won', settlements: 0 },
        { present: true, status: 'lost', settlements: 2 },
        { present: true, status: 'refunded', settlements: 1 },
      ]),
    ).toEqual({ checked: 7, lost: 3, doubleSettled: 1 });
  });
});

describe('tallies and flags', () => {
  it('adds counts by key', () => {
    expect(mergeTallies(tally({}, 'A'), tally(tally({}, 'A'), 'B', 2))).toEqual({ A: 2, B: 2 });
  });

  it('reads positive numeric flags and refuses others', () => {
    expect(numberFlag(['--players', '200'], 'players', 5000)).toBe(200);
    expect(numberFlag([], 'players', 5000)).toBe(5000);
    expect(() => numberFlag(['--players', 'x'], 'players', 5000)).toThrow(RangeError);
    expect(() => numberFlag(['--players', '0'], 'players', 5000)).toThrow(RangeError);
  });
});
