import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACCARAT_BET_TYPES,
  GAME_RULE_ERRORS,
  ROULETTE_BET_TYPES,
  type RouletteBetType,
  type StakeLimits,
  assertStakeLimits,
  stakeLimitsSchema,
  validateStake,
  winningPayout,
} from '../../src/games/index.js';

const ROULETTE_LIMITS = Object.fromEntries(
  ROULETTE_BET_TYPES.map((type) => [
    type,
    type === 'straight' ? { min: 100, max: 10_000 } : { min: 100, max: 500_000 },
  ]),
) as StakeLimits<RouletteBetType>;

describe('validateStake', () => {
  it('accepts stakes within the limits of the bet type, bounds included', () => {
    expect(validateStake('straight', 100, ROULETTE_LIMITS)).toEqual({ ok: true, value: 100 });
    expect(validateStake('straight', 10_000, ROULETTE_LIMITS)).toEqual({ ok: true, value: 10_000 });
    expect(validateStake('red', 500_000, ROULETTE_LIMITS)).toEqual({ ok: true, value: 500_000 });
  });

  it('rejects stakes outside the limits with the code and the limit', () => {
    expect(validateStake('straight', 99, ROULETTE_LIMITS)).toEqual({
      ok: false,
      error: { code: 'BET_LIMIT_BELOW_MIN', message: 'the minimum stake on straight is 100' },
    });
    expect(validateStake('straight', 10_001, ROULETTE_LIMITS)).toEqual({
      ok: false,
      error: { code: 'BET_LIMIT_ABOVE_MAX', message: 'the maximum stake on straight is 10000' },
    });
  });

  it('rejects what is not a whole positive number of minor units, before looking at limits', () => {
    for (const stake of [0, -100, 100.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '100', null, undefined, 100n]) {
      expect(validateStake('red', stake, ROULETTE_LIMITS)).toEqual({
        ok: false,
        error: { code: 'BET_INVALID', message: 'the stake must be a positive whole number of minor units' },
      });
    }
  });

  it('classifies any stake against any limits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e12 }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.oneof(fc.integer({ min: -10, max: 3e12 }), fc.double()),
        (min, width, stake) => {
          const limits = { tie: { min, max: min + width } };
          const result = validateStake('tie', stake, limits);
          const expected =
            !Number.isSafeInteger(stake) || stake <= 0
              ? 'BET_INVALID'
              : stake < min
                ? 'BET_LIMIT_BELOW_MIN'
                : stake > min + width
                  ? 'BET_LIMIT_ABOVE_MAX'
                  : 'ok';
          expect(result.ok ? 'ok' : result.error.code).toBe(expected);
        },
      ),
    );
  });

  it('has a stable code and status for every rule error', () => {
    expect(GAME_RULE_ERRORS).toEqual({
      BET_INVALID: 422,
      BET_LIMIT_BELOW_MIN: 422,
      BET_LIMIT_ABOVE_MAX: 422,
      RESULT_INVALID: 422,
    });
  });
});

describe('table limits config', () => {
  const schema = stakeLimitsSchema(ROULETTE_BET_TYPES);

  it('wants exactly one { min, max } per bet type of the game', () => {
    expect(Value.Check(schema, ROULETTE_LIMITS)).toBe(true);
    const { straight: _, ...missing } = ROULETTE_LIMITS;
    expect(Value.Check(schema, missing)).toBe(false);
    expect(Value.Check(schema, { ...ROULETTE_LIMITS, trio: { min: 1, max: 2 } })).toBe(false);
    expect(Value.Check(schema, { ...ROULETTE_LIMITS, red: { min: 0, max: 2 } })).toBe(false);
    expect(Value.Check(schema, { ...ROULETTE_LIMITS, red: { min: 1.5, max: 2 } })).toBe(false);
    expect(Value.Check(schema, { ...ROULETTE_LIMITS, red: { min: 1 } })).toBe(false);
    const baccarat = stakeLimitsSchema(BACCARAT_BET_TYPES);
    expect(Object.keys(baccarat.properties)).toEqual(['player', 'banker', 'tie', 'playerPair', 'bankerPair']);
  });

  it('refuses at boot limits whose minimum exceeds the maximum, naming the bet type', () => {
    expect(() => assertStakeLimits(ROULETTE_LIMITS)).not.toThrow();
    expect(() => assertStakeLimits({ ...ROULETTE_LIMITS, corner: { min: 500, max: 100 } })).toThrow(
      'stake limits of corner must be positive integers with min <= max, got 500..100',
    );
  });
});

describe('winningPayout', () => {
  it('returns stake + floor(stake × pays / to), exactly, for any odds and safe stake', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 1_000 }),
        (stake, pays, to) => {
          const exact = BigInt(stake) + (BigInt(stake) * BigInt(pays)) / BigInt(to);
          if (exact > BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(() => winningPayout(stake, [pays, to])).toThrow(RangeError);
          } else {
            expect(BigInt(winningPayout(stake, [pays, to]))).toBe(exact);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
