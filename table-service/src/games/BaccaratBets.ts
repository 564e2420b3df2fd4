/**
 * Punto banco bets and their settlement against a coup dealt by the protocol's third-card rules.
 *
 * - player: pays 1 to 1; a tie pushes (the stake comes back).
 * - banker: pays 95 to 100 (1 to 1 less 5% commission, taken from the winnings when paid); a tie
 *   pushes. Winnings are floor(stake × 95 / 100) minor units: the house keeps the fraction, under
 *   one minor unit per winning bet (a stake of 20 wins 19, a stake of 1 wins nothing).
 * - tie: pays 8 to 1.
 * - playerPair / bankerPair: pay 11 to 1 when that side's first two cards have the same rank (a
 *   queen and a queen, not a queen and a king), whatever the coup's winner.
 */
import { Value } from '@sinclair/typebox/value';
import {
  type Card,
  type Coup,
  MAX_CARDS_PER_COUP,
  RANKS,
  SUITS,
  dealCoup,
  shoeFromCards,
  BACCARAT_ODDS,
  BaccaratBet,
  type BaccaratBetType,
} from '@live-casino/protocol/games/baccarat';
import {
  type RuleResult,
  type Settlement,
  type SettlementOutcome,
  accept,
  assertStake,
  assertUnreachable,
  reject,
  winningPayout,
} from './GameTypes.js';

export {
  BACCARAT_BET_TYPES,
  BACCARAT_ODDS,
  BaccaratBet,
  type BaccaratBetType,
} from '@live-casino/protocol/games/baccarat';

/** Checks an inbound bet (any JSON); returns a fresh, frozen copy. */
export function validateBaccaratBet(input: unknown): RuleResult<BaccaratBet> {
  if (!Value.Check(BaccaratBet, input)) return reject('BET_INVALID', 'not a baccarat bet');
  return accept(Object.freeze({ type: input.type }));
}

/** Settles a validated bet on a coup from `dealCoup` or `coupFromCards`. */
export function settleBaccaratBet(bet: BaccaratBet, stake: number, coup: Coup): Settlement {
  assertStake(stake);
  const outcome = baccaratOutcome(bet.type, coup);
  switch (outcome) {
    case 'win':
      return { outcome, payout: winningPayout(stake, BACCARAT_ODDS[bet.type]) };
    case 'push':
      return { outcome, payout: stake };
    case 'lose':
      return { outcome, payout: 0 };
    default:
      return assertUnreachable(outcome);
  }
}

function baccaratOutcome(betType: BaccaratBetType, coup: Coup): SettlementOutcome {
  switch (betType) {
    case 'player':
    case 'banker':
      if (coup.winner === 'tie') return 'push';
      return coup.winner === betType ? 'win' : 'lose';
    case 'tie':
      return coup.winner === 'tie' ? 'win' : 'lose';
    case 'playerPair':
      return coup.playerPair ? 'win' : 'lose';
    case 'bankerPair':
      return coup.bankerPair ? 'win' : 'lose';
    default:
      return assertUnreachable(betType);
  }
}

/**
 * The coup that a sequence of cards, in the order they left the shoe (P1, B1, P2, B2, then P3
 * and/or B3), makes under the third-card rules. Rejects a sequence the rules could not have dealt:
 * a missing third card, a card too many, or not a card at all. This is how a result read card by
 * card (dealer console, vision) becomes something to settle on.
 */
export function coupFromCards(cards: readonly Card[]): RuleResult<Coup> {
  if (cards.length < 4 || cards.length > MAX_CARDS_PER_COUP) {
    return reject('RESULT_INVALID', `a coup has 4 to ${MAX_CARDS_PER_COUP} cards, got ${cards.length}`);
  }
  if (!cards.every(isCard)) return reject('RESULT_INVALID', 'not a card');
  // dealCoup insists on a shoe that cannot run out mid-coup; pad it, and any coup that reaches
  // into the padding needed a card the dealer did not deal.
  const padding: Card[] = Array(MAX_CARDS_PER_COUP - cards.length).fill(cards[0]);
  const { coup } = dealCoup(shoeFromCards([...cards, ...padding], MAX_CARDS_PER_COUP));
  if (coup.cards.length !== cards.length) {
    return reject('RESULT_INVALID', `the third-card rules deal ${coup.cards.length} cards here, not ${cards.length}`);
  }
  return accept(coup);
}

function isCard(card: Card): boolean {
  return (RANKS as readonly string[]).includes(card?.rank) && (SUITS as readonly string[]).includes(card?.suit);
}
