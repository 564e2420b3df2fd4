import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ROULETTE_BETS,
  ROULETTE_BET_TYPES,
  ROULETTE_ODDS,
  type RouletteBet,
  type RouletteBetType,
  rouletteCovered,
  settleRouletteBet,
  validateRouletteBet,
} from '../../src/games/index.js';

// The rules written out again, independently of the module: layout, colours and payout table.

const POCKETS = Array.from({ length: 37 }, (_, n) => n);
const RED = [1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36];
/** Rows of the layout, top to bottom; zero sits above the first row and touches 1, 2 and 3. */
const LAYOUT = Array.from({ length: 12 }, (_, r) => [3 * r + 1, 3 * r + 2, 3 * r + 3]);
const cell = (n: number): { row: number; col: number } => {
  const row = LAYOUT.findIndex((numbers) => numbers.includes(n));
  return { row, col: (LAYOUT[row] as number[]).indexOf(n) };
};

const STANDARD_ODDS: Record<RouletteBetType, number> = {
  straight: 35,
  split: 17,
  street: 11,
  corner: 8,
  firstFour: 8,
  sixLine: 5,
  dozen: 2,
  column: 2,
  red: 1,
  black: 1,
  odd: 1,
  even: 1,
  low: 1,
  high: 1,
};

type InsideType = 'straight' | 'split' | 'street' | 'corner' | 'firstFour' | 'sixLine';
const INSIDE_TYPES: readonly InsideType[] = ['straight', 'split', 'street', 'corner', 'firstFour', 'sixLine'];
const ARITY: Record<InsideType, number> = { straight: 1, split: 2, street: 3, corner: 4, firstFour: 4, sixLine: 6 };

const sameSet = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((n) => b.includes(n));

/** Whether a set of distinct pockets forms that inside bet, read off the layout's geometry. */
function formsInsideBet(type: InsideType, numbers: readonly number[]): boolean {
  if (new Set(numbers).size !== numbers.length || numbers.length !== ARITY[type]) return false;
  const hasZero = numbers.includes(0);
  const cells = numbers.filter((n) => n !== 0).map(cell);
  const rows = new Set(cells.map((c) => c.row));
  const cols = new Set(cells.map((c) => c.col));
  const span = (s: Set<number>): number => Math.max(...s) - Math.min(...s);
  switch (type) {
    case 'straight':
      return true;
    case 'split':
      if (hasZero) return (cells[0] as { row: number }).row === 0;
      return (rows.size === 1 && span(cols) === 1) || (cols.size === 1 && span(rows) === 1);
    case 'street':
      if (hasZero) return sameSet(numbers, [0, 1, 2]) || sameSet(numbers, [0, 2, 3]);
      return rows.size === 1;
    case 'corner':
      return !hasZero && rows.size === 2 && span(rows) === 1 && cols.size === 2 && span(cols) === 1;
    case 'firstFour':
      return sameSet(numbers, [0, 1, 2, 3]);
    case 'sixLine':
      return !hasZero && rows.size === 2 && span(rows) === 1;
  }
}

function wins(bet: RouletteBet, pocket: number): boolean {
  if ('numbers' in bet) return bet.numbers.includes(pocket);
  if (pocket === 0) return false;
  switch (bet.type) {
    case 'dozen':
      return pocket > 12 * (bet.dozen - 1) && pocket <= 12 * bet.dozen;
    case 'column':
      return cell(pocket).col === bet.column - 1;
    case 'red':
      return RED.includes(pocket);
    case 'black':
      return !RED.includes(pocket);
    case 'odd':
      return pocket % 2 === 1;
    case 'even':
      return pocket % 2 === 0;
    case 'low':
      return pocket <= 18;
    case 'high':
      return pocket >= 19;
  }
}

/** Calls `visit` with every k-subset of the pockets, ascending. */
function forEachSubset(k: number, visit: (numbers: readonly number[]) => void): void {
  const chosen: number[] = [];
  const walk = (from: number): void => {
    if (chosen.length === k) {
      visit(chosen);
      return;
    }
    for (let n = from; n <= 36 - (k - chosen.length - 1); n++) {
      chosen.push(n);
      walk(n + 1);
      chosen.pop();
    }
  };
  walk(0);
}

const betsOf = (type: RouletteBetType): RouletteBet[] => ROULETTE_BETS.filter((bet) => bet.type === type);
const numbersOf = (bet: RouletteBet): readonly number[] => ('numbers' in bet ? bet.numbers : []);

describe('roulette layout', () => {
  it('offers exactly the standard European count of each bet: 145 inside, 12 outside', () => {
    const counts = Object.fromEntries(ROULETTE_BET_TYPES.map((type) => [type, betsOf(type).length]));
    expect(counts).toEqual({
      straight: 37,
      split: 60,
      street: 14,
      corner: 22,
      firstFour: 1,
      sixLine: 11,
      dozen: 3,
      column: 3,
      red: 1,
      black: 1,
      odd: 1,
      even: 1,
      low: 1,
      high: 1,
    });
    expect(ROULETTE_BETS).toHaveLength(157);
  });

  it.each(INSIDE_TYPES.filter((t) => t !== 'sixLine'))(
    'has as %s bets exactly the sets of pockets the geometry allows, out of every subset of that size',
    (type) => {
      const expected: string[] = [];
      forEachSubset(ARITY[type], (numbers) => {
        if (formsInsideBet(type, numbers)) expected.push(numbers.join('-'));
      });
      expect(betsOf(type).map((bet) => numbersOf(bet).join('-'))).toEqual(expect.arrayContaining(expected));
      expect(betsOf(type)).toHaveLength(expected.length);
    },
  );

  it('has as six lines exactly the 6-subsets the geometry allows (all 2.3 million of them checked)', () => {
    const expected: string[] = [];
    forEachSubset(6, (numbers) => {
      if (formsInsideBet('sixLine', numbers)) expected.push(numbers.join('-'));
    });
    expect(expected).toHaveLength(11);
    expect(betsOf('sixLine').map((bet) => numbersOf(bet).join('-'))).toEqual(expected);
  });

  it('lists every bet in canonical form, frozen, numbers ascending and each bet once', () => {
    const keys = new Set(ROULETTE_BETS.map((bet) => JSON.stringify(bet)));
    expect(keys.size).toBe(ROULETTE_BETS.length);
    for (const bet of ROULETTE_BETS) {
      expect(Object.isFrozen(bet)).toBe(true);
      expect([...numbersOf(bet)]).toEqual([...numbersOf(bet)].sort((a, b) => a - b));
      expect(validateRouletteBet(bet)).toEqual({ ok: true, value: bet });
    }
  });

  it('pays the standard table', () => {
    expect(Object.fromEntries(ROULETTE_BET_TYPES.map((t) => [t, ROULETTE_ODDS[t][0] / ROULETTE_ODDS[t][1]]))).toEqual(
      STANDARD_ODDS,
    );
  });
});

describe('roulette settlement', () => {
  it('on every pocket and every bet, wins exactly on the covered pockets and pays the standard odds', () => {
    const stake = 1_000;
    let checked = 0;
    for (const bet of ROULETTE_BETS) {
      const covered = rouletteCovered(bet);
      expect([...covered], JSON.stringify(bet)).toEqual(POCKETS.filter((pocket) => wins(bet, pocket)));
      for (const pocket of POCKETS) {
        const expected = wins(bet, pocket)
          ? { outcome: 'win', payout: stake * (STANDARD_ODDS[bet.type] + 1) }
          : { outcome: 'lose', payout: 0 };
        expect(settleRouletteBet(bet, stake, pocket), `${JSON.stringify(bet)} on ${pocket}`).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBe(157 * 37);
  });

  it('covers with outside bets 12 or 18 numbers and never zero; zero loses every outside bet', () => {
    for (const bet of ROULETTE_BETS.filter((b) => !('numbers' in b))) {
      const covered = rouletteCovered(bet);
      expect(covered.size).toBe(bet.type === 'dozen' || bet.type === 'column' ? 12 : 18);
      expect(covered.has(0)).toBe(false);
      expect(settleRouletteBet(bet, 500, 0)).toEqual({ outcome: 'lose', payout: 0 });
    }
  });

  it('gives every bet a house edge of exactly 1/37: the 37 pockets return 36 stakes in total', () => {
    for (const bet of ROULETTE_BETS) {
      const [pays, to] = ROULETTE_ODDS[bet.type];
      expect(to).toBe(1);
      expect((pays + 1) * rouletteCovered(bet).size, JSON.stringify(bet)).toBe(36);
    }
    fc.assert(
      fc.property(fc.constantFrom(...ROULETTE_BETS), fc.integer({ min: 1, max: 2 ** 40 }), (bet, units) => {
        const stake = 37 * units;
        const returned = POCKETS.reduce((sum, pocket) => sum + settleRouletteBet(bet, stake, pocket).payout, 0);
        expect(returned / 37).toBe(36 * units);
      }),
    );
  });

  it('settles the same bet the same way whatever order its numbers came in', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROULETTE_BETS.filter((b) => 'numbers' in b)),
        fc.integer({ min: 0, max: 36 }),
        fc.integer({ min: 1, max: 10_000 }),
        (bet, pocket, stake) => {
          const shuffled = { ...bet, numbers: [...numbersOf(bet)].reverse() } as RouletteBet;
          expect(settleRouletteBet(shuffled, stake, pocket)).toEqual(settleRouletteBet(bet, stake, pocket));
        },
      ),
    );
  });

  it('refuses to settle a bet that skipped validation, a bad stake or a bad pocket', () => {
    const red: RouletteBet = { type: 'red' };
    const invalid = [
      { type: 'split', numbers: [1, 5] },
      { type: 'corner', numbers: [0, 1, 2, 3] },
      { type: 'straight', numbers: [37] },
      { type: 'dozen', dozen: 4 },
    ] as unknown as RouletteBet[];
    for (const bet of invalid) {
      expect(() => settleRouletteBet(bet, 100, 1)).toThrow(RangeError);
      expect(() => rouletteCovered(bet)).toThrow(RangeError);
    }
    for (const stake of [0, -1, 1.5, Number.NaN, 2 ** 53])
      expect(() => settleRouletteBet(red, stake, 1)).toThrow(RangeError);
    for (const pocket of [-1, 37, 0.5, Number.NaN])
      expect(() => settleRouletteBet(red, 100, pocket)).toThrow(RangeError);
  });

  it('refuses a payout beyond the safe integers instead of rounding it', () => {
    const straight: RouletteBet = { type: 'straight', numbers: [7] };
    const largest = Math.floor(Number.MAX_SAFE_INTEGER / 36);
    expect(settleRouletteBet(straight, largest, 7).payout).toBe(largest * 36);
    expect(() => settleRouletteBet(straight, largest + 1, 7)).toThrow(RangeError);
    expect(settleRouletteBet(straight, largest + 1, 8).payout).toBe(0);
  });
});

describe('roulette bet validation', () => {
  it('accepts every bet with its numbers in any order and returns it in canonical form', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROULETTE_BETS.filter((b) => 'numbers' in b)),
        fc.infiniteStream(fc.nat()),
        (bet, randoms) => {
          const numbers = [...numbersOf(bet)];
          for (let i = numbers.length - 1; i > 0; i--) {
            const j = (randoms.next().value as number) % (i + 1);
            [numbers[i], numbers[j]] = [numbers[j] as number, numbers[i] as number];
          }
          expect(validateRouletteBet({ numbers, type: bet.type })).toEqual({ ok: true, value: bet });
        },
      ),
    );
  });

  it('rejects what is not on the layout, with a code and a message naming it', () => {
    const cases: [unknown, string][] = [
      [{ type: 'split', numbers: [1, 5] }, '1-5 is not a split bet on the layout'],
      [{ type: 'split', numbers: [3, 4] }, '3-4 is not a split bet on the layout'],
      [{ type: 'split', numbers: [0, 4] }, '0-4 is not a split bet on the layout'],
      [{ type: 'split', numbers: [2, 2] }, '2-2 is not a split bet on the layout'],
      [{ type: 'street', numbers: [2, 3, 4] }, '2-3-4 is not a street bet on the layout'],
      [{ type: 'street', numbers: [0, 1, 3] }, '0-1-3 is not a street bet on the layout'],
      [{ type: 'corner', numbers: [0, 1, 2, 3] }, '0-1-2-3 is not a corner bet on the layout'],
      [{ type: 'corner', numbers: [2, 3, 4, 5] }, '2-3-4-5 is not a corner bet on the layout'],
      [{ type: 'corner', numbers: [1, 2, 4, 6] }, '1-2-4-6 is not a corner bet on the layout'],
      [{ type: 'firstFour', numbers: [1, 2, 4, 5] }, '1-2-4-5 is not a firstFour bet on the layout'],
      [{ type: 'sixLine', numbers: [0, 1, 2, 3, 4, 5] }, '0-1-2-3-4-5 is not a sixLine bet on the layout'],
      [{ type: 'sixLine', numbers: [1, 2, 3, 7, 8, 9] }, '1-2-3-7-8-9 is not a sixLine bet on the layout'],
    ];
    for (const [input, message] of cases) {
      expect(validateRouletteBet(input), JSON.stringify(input)).toEqual({
        ok: false,
        error: { code: 'BET_INVALID', message },
      });
    }
  });

  it('rejects malformed shapes', () => {
    const malformed: unknown[] = [
      undefined,
      null,
      'red',
      17,
      [],
      {},
      { type: 'straight' },
      { type: 'straight', numbers: 17 },
      { type: 'straight', numbers: [37] },
      { type: 'straight', numbers: [-1] },
      { type: 'straight', numbers: [1.5] },
      { type: 'straight', numbers: ['17'] },
      { type: 'straight', numbers: [17, 18] },
      { type: 'split', numbers: [1] },
      { type: 'corner', numbers: [1, 2, 4, 5, 7] },
      { type: 'straight', numbers: [17], amount: 5 },
      { type: 'dozen', dozen: 0 },
      { type: 'dozen', dozen: '1' },
      { type: 'dozen' },
      { type: 'column', column: 4 },
      { type: 'column', dozen: 1 },
      { type: 'red', numbers: [1] },
      { type: 'trio', numbers: [0, 1, 2] },
      { type: 'basket', numbers: [0, 1, 2, 3] },
      { type: 'Red' },
      { type: 'green' },
      { type: 'toString' },
    ];
    for (const input of malformed) {
      expect(validateRouletteBet(input), JSON.stringify(input)).toEqual({
        ok: false,
        error: { code: 'BET_INVALID', message: 'not a roulette bet' },
      });
    }
  });

  /** Independent oracle for any input: is it exactly one of the bets on the layout? */
  function isValidBet(input: unknown): boolean {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
    const { type, ...rest } = input as Record<string, unknown>;
    const keys = Object.keys(rest);
    const isThird = (v: unknown): boolean => v === 1 || v === 2 || v === 3;
    if (INSIDE_TYPES.includes(type as InsideType)) {
      const numbers = rest.numbers;
      return (
        keys.length === 1 &&
        Array.isArray(numbers) &&
        numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 36) &&
        formsInsideBet(type as InsideType, numbers)
      );
    }
    if (type === 'dozen') return keys.length === 1 && isThird(rest.dozen);
    if (type === 'column') return keys.length === 1 && isThird(rest.column);
    return ['red', 'black', 'odd', 'even', 'low', 'high'].includes(type as string) && keys.length === 0;
  }

  const pocketOrNot = fc.oneof(
    { weight: 30, arbitrary: fc.integer({ min: 0, max: 36 }) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 37, 1.5, Number.NaN, '7', null) },
  );
  const thirdOrNot = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(1, 2, 3) },
    { weight: 1, arbitrary: fc.constantFrom(0, 4, '1', 1.5) },
  );
  const anyType = fc.constantFrom(...ROULETTE_BET_TYPES, 'trio', 'basket', 'Straight', '');
  const nearMiss = fc.oneof(
    fc.record({
      type: fc.constantFrom(...INSIDE_TYPES),
      numbers: fc.array(pocketOrNot, { minLength: 1, maxLength: 6 }),
    }),
    fc.record(
      { type: fc.constantFrom('dozen', 'column'), dozen: thirdOrNot, column: thirdOrNot },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: anyType }),
    fc.record(
      { type: anyType, numbers: fc.array(pocketOrNot, { maxLength: 7 }), dozen: thirdOrNot, stake: fc.anything() },
      { requiredKeys: [] },
    ),
  );

  it('accepts a random near-miss shape exactly when it is a bet on the layout', () => {
    fc.assert(
      fc.property(nearMiss, (input) => {
        const result = validateRouletteBet(input);
        expect(result.ok, JSON.stringify(input)).toBe(isValidBet(input));
        if (result.ok) expect(ROULETTE_BETS).toContain(result.value);
        else expect(result.error.code).toBe('BET_INVALID');
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts a valid bet with one number moved exactly when the geometry still allows it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ROULETTE_BETS.filter((b) => 'numbers' in b && b.type !== 'straight')),
        fc.nat(),
        fc.integer({ min: 0, max: 36 }),
        (bet, index, replacement) => {
          const numbers = [...numbersOf(bet)];
          numbers[index % numbers.length] = replacement;
          const input = { type: bet.type, numbers };
          expect(validateRouletteBet(input).ok, JSON.stringify(input)).toBe(isValidBet(input));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('never throws on arbitrary input and only ever accepts bets on the layout', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), (input) => {
        const result = validateRouletteBet(input);
        expect(result.ok).toBe(isValidBet(input));
      }),
      { numRuns: 5_000 },
    );
  });
});
