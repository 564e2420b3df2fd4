import type { BetHistoryEntry, GameBet } from '@live-casino/protocol';
import { assertUnreachable } from '../viewerErrors.js';

const ORDINAL = { 1: '1st', 2: '2nd', 3: '3rd' } as const;
const DOZEN_RANGE = { 1: '1–12', 2: '13–24', 3: '25–36' } as const;

/** A bet as the player reads it in their history: "Straight 17", "Split 17/20", "Red", "Banker pair". */
export function describeBet(bet: GameBet): string {
  switch (bet.type) {
    case 'straight':
      return `Straight ${numbersOf(bet.numbers)}`;
    case 'split':
      return `Split ${numbersOf(bet.numbers)}`;
    case 'street':
      return `Street ${numbersOf(bet.numbers)}`;
    case 'corner':
      return `Corner ${numbersOf(bet.numbers)}`;
    case 'firstFour':
      return `First four ${numbersOf(bet.numbers)}`;
    case 'sixLine':
      return `Six line ${rangeOf(bet.numbers)}`;
    case 'dozen':
      return `${ORDINAL[bet.dozen]} dozen (${DOZEN_RANGE[bet.dozen]})`;
    case 'column':
      return `${ORDINAL[bet.column]} column`;
    case 'red':
      return 'Red';
    case 'black':
      return 'Black';
    case 'odd':
      return 'Odd';
    case 'even':
      return 'Even';
    case 'low':
      return 'Low (1–18)';
    case 'high':
      return 'High (19–36)';
    case 'player':
      return 'Player';
    case 'banker':
      return 'Banker';
    case 'tie':
      return 'Tie';
    case 'playerPair':
      return 'Player pair';
    case 'bankerPair':
      return 'Banker pair';
    default:
      return assertUnreachable(bet);
  }
}

/** The wire allows the numbers of an inside bet in any order; the player reads them ascending. */
function numbersOf(numbers: readonly number[]): string {
  return [...numbers].sort((a, b) => a - b).join('/');
}

/** A six line always covers two whole rows of the layout: six consecutive numbers. */
function rangeOf(numbers: readonly number[]): string {
  return `${Math.min(...numbers)}–${Math.max(...numbers)}`;
}

/** What a bet in the history came to. `net`: what a win brought beyond the stake (null: not told). */
export type BetSettlement =
  | { readonly kind: 'pending' }
  | { readonly kind: 'won'; readonly net: number | null }
  | { readonly kind: 'lost' }
  | { readonly kind: 'push' }
  | { readonly kind: 'refunded' }
  | { readonly kind: 'cancelled' };

export function betSettlement(entry: Pick<BetHistoryEntry, 'status' | 'stake' | 'payout'>): BetSettlement {
  switch (entry.status) {
    case 'placed':
      return { kind: 'pending' };
    case 'won':
      // Settled bets carry their payout; without one the row says "won" rather than a made-up amount.
      return { kind: 'won', net: entry.payout === null ? null : entry.payout - entry.stake };
    case 'lost':
      return { kind: 'lost' };
    case 'push':
      return { kind: 'push' };
    case 'refunded':
      return { kind: 'refunded' };
    case 'cancelled':
      return { kind: 'cancelled' };
    default:
      return assertUnreachable(entry.status);
  }
}
