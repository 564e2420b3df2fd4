import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  POCKET_ARC,
  POCKET_COUNT,
  RED_NUMBERS,
  WHEEL_ORDER,
  angleOfPocket,
  columnOf,
  dozenOf,
  isPocket,
  normaliseAngle,
  pocketAtAngle,
  pocketColour,
  wheelIndexOf,
} from '../src/games/roulette.js';

describe('European roulette wheel', () => {
  it('has every number 0-36 exactly once, zero first', () => {
    expect(WHEEL_ORDER).toHaveLength(POCKET_COUNT);
    expect([...WHEEL_ORDER].sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(WHEEL_ORDER[0]).toBe(0);
  });

  it('has the 18 standard red numbers', () => {
    expect([...RED_NUMBERS].sort((a, b) => a - b)).toEqual([
      1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36,
    ]);
  });

  it('alternates red and black around the wheel, with green zero between 26 and 32', () => {
    const colours = WHEEL_ORDER.map(pocketColour);
    expect(colours[0]).toBe('green');
    for (let i = 1; i < POCKET_COUNT - 1; i++) expect(colours[i + 1]).not.toBe(colours[i]);
    expect(pocketColour(32)).toBe('red');
    expect(pocketColour(26)).toBe('black');
  });

  it('maps every pocket centre, and anywhere strictly inside it, back to that pocket', () => {
    for (const pocket of WHEEL_ORDER) {
      const centre = angleOfPocket(pocket);
      expect(pocketAtAngle(centre)).toBe(pocket);
      expect(pocketAtAngle(centre + POCKET_ARC * 0.499)).toBe(pocket);
      expect(pocketAtAngle(centre - POCKET_ARC * 0.499)).toBe(pocket);
      expect(pocketAtAngle(centre + 2 * Math.PI * 7)).toBe(pocket);
      expect(pocketAtAngle(centre - 2 * Math.PI * 3)).toBe(pocket);
    }
  });

  it('assigns any angle to the pocket whose centre is nearest', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), (angle) => {
        const pocket = pocketAtAngle(angle);
        const d = Math.abs(normaliseAngle(angle - angleOfPocket(pocket) + Math.PI) - Math.PI);
        expect(d).toBeLessThanOrEqual(POCKET_ARC / 2 + 1e-9);
      }),
    );
  });

  it('places 32 clockwise of zero and 26 anticlockwise of it', () => {
    expect(pocketAtAngle(POCKET_ARC)).toBe(32);
    expect(pocketAtAngle(-POCKET_ARC)).toBe(26);
    expect(wheelIndexOf(26)).toBe(36);
  });

  it('knows dozens and columns', () => {
    expect([dozenOf(0), dozenOf(1), dozenOf(12), dozenOf(13), dozenOf(36)]).toEqual([null, 1, 1, 2, 3]);
    expect([columnOf(0), columnOf(1), columnOf(2), columnOf(3), columnOf(34), columnOf(36)]).toEqual([
      null,
      1,
      2,
      3,
      1,
      3,
    ]);
  });

  it('rejects what is not a pocket', () => {
    for (const bad of [-1, 37, 1.5, Number.NaN]) {
      expect(isPocket(bad)).toBe(false);
      expect(() => pocketColour(bad)).toThrow(RangeError);
      expect(() => angleOfPocket(bad)).toThrow(RangeError);
    }
    expect(isPocket('7')).toBe(false);
  });
});
