/**
 * Table limits: the minimum and maximum stake of every bet type a table offers, from the table's
 * configuration. A table must state limits for every bet type of its game; there is no implicit
 * default, so a forgotten limit stops the service at boot instead of taking unlimited stakes.
 */
import { type Static, type TObject, Type } from '@sinclair/typebox';
import { type RuleResult, accept, isStake, reject } from './GameTypes.js';

export const StakeLimit = Type.Object(
  {
    min: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    max: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
export type StakeLimit = Static<typeof StakeLimit>;

export type StakeLimits<BetType extends string> = Readonly<Record<BetType, StakeLimit>>;

/** The schema of a table's limits: exactly one `{ min, max }` per bet type of the game. */
export function stakeLimitsSchema<BetType extends string>(
  betTypes: readonly BetType[],
): TObject<Record<BetType, typeof StakeLimit>> {
  const properties = Object.fromEntries(betTypes.map((type) => [type, StakeLimit])) as Record<
    BetType,
    typeof StakeLimit
  >;
  return Type.Object(properties, { additionalProperties: false });
}

/**
 * What the schema cannot say: every limit has min ≤ max. Meant for boot, after the schema check;
 * the message names the bet type so the operator knows which line of the config to fix.
 */
export function assertStakeLimits<BetType extends string>(limits: StakeLimits<BetType>): void {
  for (const [betType, { min, max }] of Object.entries<StakeLimit>(limits)) {
    if (!isStake(min) || !isStake(max) || min > max) {
      throw new RangeError(`stake limits of ${betType} must be positive integers with min <= max, got ${min}..${max}`);
    }
  }
}

/** Whether a stake is acceptable on a bet type at this table; returns the stake when it is. */
export function validateStake<BetType extends string>(
  betType: BetType,
  stake: unknown,
  limits: StakeLimits<BetType>,
): RuleResult<number> {
  if (!isStake(stake)) return reject('BET_INVALID', 'the stake must be a positive whole number of minor units');
  const { min, max } = limits[betType];
  if (stake < min) return reject('BET_LIMIT_BELOW_MIN', `the minimum stake on ${betType} is ${min}`);
  if (stake > max) return reject('BET_LIMIT_ABOVE_MAX', `the maximum stake on ${betType} is ${max}`);
  return accept(stake);
}
