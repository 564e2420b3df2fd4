import { ERRORS, type ErrorCode } from '@live-casino/protocol';

/**
 * What every game's rules share: the settlement result, rule errors with stable codes, payout odds
 * and the integer arithmetic that turns odds into minor units.
 */

/**
 * Rule errors with the HTTP status the service answers them with. They are rejections of player
 * input (a bet that does not exist on the layout, a stake outside the table limits) or of a result
 * that the rules could not have produced; never thrown, always returned.
 */
export const GAME_RULE_ERRORS = {
  BET_INVALID: ERRORS.BET_INVALID,
  BET_LIMIT_BELOW_MIN: ERRORS.BET_LIMIT_BELOW_MIN,
  BET_LIMIT_ABOVE_MAX: ERRORS.BET_LIMIT_ABOVE_MAX,
  /** A result the rules could not have produced (a coup the third-card rules would not deal). */
  RESULT_INVALID: ERRORS.RESULT_INVALID,
} as const satisfies Partial<Record<ErrorCode, number>>;

/** Protocol error codes, so that a rule's refusal goes on the wire as it is. */
export type GameRuleErrorCode = keyof typeof GAME_RULE_ERRORS;

export interface GameRuleError {
  readonly code: GameRuleErrorCode;
  readonly message: string;
}

export type RuleResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: GameRuleError };

export function accept<T>(value: T): RuleResult<T> {
  return { ok: true, value };
}

export function reject(code: GameRuleErrorCode, message: string): RuleResult<never> {
  return { ok: false, error: { code, message } };
}

export type SettlementOutcome = 'win' | 'lose' | 'push';

export interface Settlement<Outcome extends SettlementOutcome = SettlementOutcome> {
  readonly outcome: Outcome;
  /** Everything returned to the player in minor units: stake plus winnings, the stake alone on a push, 0 on a loss. */
  readonly payout: number;
}

/** Winnings per stake, as printed on the layout: `[35, 1]` is "35 to 1". */
export type { Odds } from '@live-casino/protocol/games/roulette';
import type { Odds } from '@live-casino/protocol/games/roulette';

/** A stake is a positive, safe integer of minor units. */
export function isStake(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

/**
 * What a winning bet returns: stake + floor(stake × pays / to). Rounding is down, in the house's
 * favour, and only bites on odds with `to > 1` (the banker's 95 to 100). Computed as
 * q·pays + floor(r·pays / to) with stake = q·to + r, so no intermediate product leaves the safe
 * integer range before the result itself would.
 */
export function winningPayout(stake: number, [pays, to]: Odds): number {
  assertStake(stake);
  const q = Math.floor(stake / to);
  const r = stake - q * to;
  const payout = stake + q * pays + Math.floor((r * pays) / to);
  if (!Number.isSafeInteger(payout))
    throw new RangeError(`payout of stake ${stake} at ${pays} to ${to} is not a safe integer`);
  return payout;
}

/** Settlement is only ever asked about stakes already accepted at intake: anything else is a bug. */
export function assertStake(stake: number): void {
  if (!isStake(stake)) throw new RangeError(`not a stake: ${stake}`);
}

export function assertUnreachable(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
