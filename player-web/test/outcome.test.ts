import type { Card } from '@live-casino/protocol/games/baccarat';
import { describe, expect, it } from 'vitest';
import { baccaratHands, betReturn } from '../src/bets/outcome.js';

const c = (rank: Card['rank'], suit: Card['suit'] = 'spades'): Card => ({ rank, suit });

describe('outcome', () => {
  it('roulette: a win returns the stake and the odds; zero loses the outside bets', () => {
    expect(betReturn({ type: 'straight', numbers: [17] }, 100, { pocket: 17 })).toBe(3_600);
    expect(betReturn({ type: 'split', numbers: [17, 20] }, 100, { pocket: 20 })).toBe(1_800);
    expect(betReturn({ type: 'red' }, 100, { pocket: 17 })).toBe(0);
    expect(betReturn({ type: 'black' }, 100, { pocket: 17 })).toBe(200);
    expect(betReturn({ type: 'black' }, 100, { pocket: 0 })).toBe(0);
    expect(betReturn({ type: 'banker' }, 100, { pocket: 3 })).toBe(0);
  });

  it('baccarat: hands from the dealing order, third cards by the tableau', () => {
    // Naturals: no third card even if more are listed.
    expect(baccaratHands([c('8'), c('2'), c('A'), c('3')])).toMatchObject({
      playerTotal: 9,
      bankerTotal: 5,
      winner: 'player',
    });
    // Player 5 draws (a 4: 9); banker 3 draws against a 4 (3 + 5 = 8).
    const hands = baccaratHands([c('2'), c('A'), c('3'), c('2'), c('4'), c('5')]);
    expect(hands).toMatchObject({ playerTotal: 9, bankerTotal: 8, winner: 'player' });
    expect(hands.player).toHaveLength(3);
    expect(hands.banker).toHaveLength(3);
    // Player stands on 7; banker 5 draws the fifth card.
    expect(baccaratHands([c('4'), c('2'), c('3'), c('3'), c('2')])).toMatchObject({ bankerTotal: 7, winner: 'tie' });
  });

  it('baccarat returns: banker commission, ties push player and banker, pairs by rank', () => {
    const tie = { cards: [c('4'), c('2'), c('3'), c('3'), c('2')] };
    expect(betReturn({ type: 'tie' }, 100, tie)).toBe(900);
    expect(betReturn({ type: 'player' }, 100, tie)).toBe(100);
    expect(betReturn({ type: 'banker' }, 100, tie)).toBe(100);
    const banker = { cards: [c('2'), c('9'), c('3'), c('K'), c('10')] };
    expect(betReturn({ type: 'banker' }, 20, banker)).toBe(39);
    expect(betReturn({ type: 'player' }, 20, banker)).toBe(0);
    const pairs = { cards: [c('Q'), c('9'), c('Q', 'hearts'), c('K')] };
    expect(betReturn({ type: 'playerPair' }, 10, pairs)).toBe(120);
    expect(betReturn({ type: 'bankerPair' }, 10, pairs)).toBe(0);
  });
});
