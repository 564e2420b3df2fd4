/**
 * European (single-zero) roulette: whether a bet is on the layout, and what it wins. The bets
 * themselves (the wire shape, the payout table, every bet of the layout) are the protocol's
 * (`@live-casino/protocol/games/roulette`); this is the table's side of them. Zero loses every
 * outside bet: this table has no la partage / en prison.
 *
 * Every bet pays 36/(numbers covered) − 1 to 1, so every bet returns 36/37 of its stake on average
 * (house edge 1/37 ≈ 2.70%); the tests hold the payout table to that.
 */
import { Value } from '@sinclair/typebox/value';
import {
  isPocket,
  ROULETTE_BETS,
  ROULETTE_ODDS,
  RouletteBet,
  rouletteBetKey,
  rouletteBetWins,
} from '@live-casino/protocol/games/roulette';
import { type RuleResult, type Settlement, accept, assertStake, reject, winningPayout } from './GameTypes.js';

export {
  CornerBet,
  ColumnBet,
  DozenBet,
  FirstFourBet,
  ROULETTE_BET_TYPES,
  ROULETTE_BETS,
  ROULETTE_ODDS,
  RouletteBet,
  type RouletteBetType,
  type RouletteInsideBet,
  SixLineBet,
  SplitBet,
  StraightBet,
  StreetBet,
} from '@live-casino/protocol/games/roulette';

const POCKETS: readonly number[] = Array.from({ length: 37 }, (_, n) => n);

const CANONICAL_BETS: ReadonlyMap<string, RouletteBet> = new Map(
  ROULETTE_BETS.map((bet) => [rouletteBetKey(bet), bet]),
);

/**
 * Checks an inbound bet (any JSON) against the schema and the layout, and returns the canonical,
 * frozen bet (inside numbers ascending).
 */
export function validateRouletteBet(input: unknown): RuleResult<RouletteBet> {
  if (!Value.Check(RouletteBet, input)) return reject('BET_INVALID', 'not a roulette bet');
  const canonical = CANONICAL_BETS.get(rouletteBetKey(input));
  if (canonical) return accept(canonical);
  // The schema admits every outside bet, so only inside numbers can miss the layout.
  const numbers = 'numbers' in input ? input.numbers.join('-') : '';
  return reject('BET_INVALID', `${numbers} is not a ${input.type} bet on the layout`);
}

/** The pockets on which a bet wins. Throws on a bet that did not come through validation. */
export function rouletteCovered(bet: RouletteBet): ReadonlySet<number> {
  const wins = winsOn(bet);
  return new Set(POCKETS.filter(wins));
}

/**
 * Settles a validated bet on the winning pocket. The payout is everything returned: stake plus
 * winnings on a win, 0 on a loss.
 */
export function settleRouletteBet(bet: RouletteBet, stake: number, pocket: number): Settlement<'win' | 'lose'> {
  assertStake(stake);
  if (!isPocket(pocket)) throw new RangeError(`not a roulette pocket: ${pocket}`);
  return winsOn(bet)(pocket)
    ? { outcome: 'win', payout: winningPayout(stake, ROULETTE_ODDS[bet.type]) }
    : { outcome: 'lose', payout: 0 };
}

function winsOn(bet: RouletteBet): (pocket: number) => boolean {
  if (!CANONICAL_BETS.has(rouletteBetKey(bet))) throw new RangeError(`not a roulette bet: ${JSON.stringify(bet)}`);
  return (pocket) => rouletteBetWins(bet, pocket);
}
