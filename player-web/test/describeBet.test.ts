import type { GameBet } from '@live-casino/protocol';
import { BACCARAT_BET_TYPES } from '@live-casino/protocol/games/baccarat';
import { ROULETTE_BET_TYPES, ROULETTE_BETS } from '@live-casino/protocol/games/roulette';
import { describe, expect, it } from 'vitest';
import { betSettlement, describeBet } from '../src/bets/describeBet.js';

const EXAMPLES: [GameBet, string][] = [
  [{ type: 'straight', numbers: [17] }, 'Straight 17'],
  [{ type: 'straight', numbers: [0] }, 'Straight 0'],
  [{ type: 'split', numbers: [20, 17] }, 'Split 17/20'],
  [{ type: 'split', numbers: [0, 2] }, 'Split 0/2'],
  [{ type: 'street', numbers: [4, 5, 6] }, 'Street 4/5/6'],
  [{ type: 'street', numbers: [0, 2, 3] }, 'Street 0/2/3'],
  [{ type: 'corner', numbers: [1, 2, 4, 5] }, 'Corner 1/2/4/5'],
  [{ type: 'firstFour', numbers: [0, 1, 2, 3] }, 'First four 0/1/2/3'],
  [{ type: 'sixLine', numbers: [31, 32, 33, 34, 35, 36] }, 'Six line 31–36'],
  [{ type: 'dozen', dozen: 1 }, '1st dozen (1–12)'],
  [{ type: 'dozen', dozen: 2 }, '2nd dozen (13–24)'],
  [{ type: 'dozen', dozen: 3 }, '3rd dozen (25–36)'],
  [{ type: 'column', column: 1 }, '1st column'],
  [{ type: 'column', column: 3 }, '3rd column'],
  [{ type: 'red' }, 'Red'],
  [{ type: 'black' }, 'Black'],
  [{ type: 'odd' }, 'Odd'],
  [{ type: 'even' }, 'Even'],
  [{ type: 'low' }, 'Low (1–18)'],
  [{ type: 'high' }, 'High (19–36)'],
  [{ type: 'player' }, 'Player'],
  [{ type: 'banker' }, 'Banker'],
  [{ type: 'tie' }, 'Tie'],
  [{ type: 'playerPair' }, 'Player pair'],
  [{ type: 'bankerPair' }, 'Banker pair'],
];

describe('describeBet', () => {
  it.each(EXAMPLES)('%j reads "%s"', (bet, text) => {
    expect(describeBet(bet)).toBe(text);
  });

  it('has an example of every bet kind of both games', () => {
    const covered = new Set(EXAMPLES.map(([bet]) => bet.type));
    for (const type of [...ROULETTE_BET_TYPES, ...BACCARAT_BET_TYPES]) expect(covered, type).toContain(type);
  });

  it('tells every bet of the roulette layout apart', () => {
    const texts = new Set(ROULETTE_BETS.map(describeBet));
    expect(texts.size).toBe(ROULETTE_BETS.length);
  });
});

describe('betSettlement', () => {
  it('gives what a won bet brought beyond its stake', () => {
    expect(betSettlement({ status: 'won', stake: 100, payout: 3_600 })).toEqual({ kind: 'won', net: 3_500 });
    expect(betSettlement({ status: 'won', stake: 100, payout: null })).toEqual({ kind: 'won', net: null });
  });

  it('names every other status', () => {
    expect(betSettlement({ status: 'placed', stake: 100, payout: null })).toEqual({ kind: 'pending' });
    expect(betSettlement({ status: 'lost', stake: 100, payout: 0 })).toEqual({ kind: 'lost' });
    expect(betSettlement({ status: 'push', stake: 100, payout: 100 })).toEqual({ kind: 'push' });
    expect(betSettlement({ status: 'refunded', stake: 100, payout: 100 })).toEqual({ kind: 'refunded' });
    expect(betSettlement({ status: 'cancelled', stake: 100, payout: null })).toEqual({ kind: 'cancelled' });
  });
});
