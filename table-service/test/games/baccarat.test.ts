import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Card,
  type Coup,
  RANKS,
  type Rank,
  dealCoup,
  isCutCardOut,
  shoeFromCards,
  shuffleShoe,
} from '@live-casino/protocol/games/baccarat';
import {
  BACCARAT_BET_TYPES,
  BACCARAT_ODDS,
  type BaccaratBetType,
  type Settlement,
  coupFromCards,
  settleBaccaratBet,
  validateBaccaratBet,
} from '../../src/games/index.js';

const c = (rank: Rank, suit: Card['suit'] = 'spades'): Card => ({ rank, suit });
const RANK_OF_VALUE: readonly Rank[] = ['K', 'A', '2', '3', '4', '5', '6', '7', '8', '9'];
const ofValue = (value: number): Card => c(RANK_OF_VALUE[value] as Rank);

function coupOf(cards: Card[]): Coup {
  const result = coupFromCards(cards);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const settleAll = (coup: Coup, stake: number): Record<BaccaratBetType, Settlement> =>
  Object.fromEntries(BACCARAT_BET_TYPES.map((type) => [type, settleBaccaratBet({ type }, stake, coup)])) as Record<
    BaccaratBetType,
    Settlement
  >;

/** Settlement from the cards alone, as a cashier reads the rules card; banker pays stake × 1.95 rounded down. */
function referenceSettlement(type: BaccaratBetType, cards: readonly Card[], stake: number): Settlement {
  const value = (card: Card): number => Math.max(0, RANK_OF_VALUE.indexOf(card.rank));
  const total = (hand: readonly Card[]): number => hand.reduce((sum, card) => sum + value(card), 0) % 10;
  // Dealt P1, B1, P2, B2; a fifth card is the player's when the player's first two total 0-5.
  const [p1, b1, p2, b2] = cards as [Card, Card, Card, Card];
  const playerDrew = cards.length === 6 || (cards.length === 5 && total([p1, p2]) <= 5);
  const player = playerDrew ? [p1, p2, cards[4] as Card] : [p1, p2];
  const banker = [b1, b2, ...cards.slice(playerDrew ? 5 : 4)];
  const [p, b] = [total(player), total(banker)];
  const win = (multiple: number): Settlement => ({ outcome: 'win', payout: Math.floor((stake * multiple) / 100) });
  const lose: Settlement = { outcome: 'lose', payout: 0 };
  const push: Settlement = { outcome: 'push', payout: stake };
  switch (type) {
    case 'player':
      return p === b ? push : p > b ? win(200) : lose;
    case 'banker':
      return p === b ? push : b > p ? win(195) : lose;
    case 'tie':
      return p === b ? win(900) : lose;
    case 'playerPair':
      return player[0]?.rank === player[1]?.rank ? win(1200) : lose;
    case 'bankerPair':
      return banker[0]?.rank === banker[1]?.rank ? win(1200) : lose;
  }
}

describe('baccarat bet validation', () => {
  it('accepts the five bets and nothing else', () => {
    expect(BACCARAT_BET_TYPES).toEqual(['player', 'banker', 'tie', 'playerPair', 'bankerPair']);
    for (const type of BACCARAT_BET_TYPES) expect(validateBaccaratBet({ type })).toEqual({ ok: true, value: { type } });
    const malformed: unknown[] = [null, 'player', {}, { type: 'Player' }, { type: 'dragon' }, { type: 'tie', odds: 9 }];
    for (const input of malformed) {
      expect(validateBaccaratBet(input)).toEqual({
        ok: false,
        error: { code: 'BET_INVALID', message: 'not a baccarat bet' },
      });
    }
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(validateBaccaratBet(input).ok).toBe(false);
      }),
    );
  });

  it('pays the standard table', () => {
    expect(BACCARAT_ODDS).toEqual({
      player: [1, 1],
      banker: [95, 100],
      tie: [8, 1],
      playerPair: [11, 1],
      bankerPair: [11, 1],
    });
  });
});

describe('baccarat settlement', () => {
  it('settles a player natural: player wins, banker and tie lose, pairs by rank', () => {
    // Player 9-Q (9), banker 9-8 (7): a natural, nobody draws.
    const coup = coupOf([c('9', 'hearts'), c('9', 'clubs'), c('Q'), c('8')]);
    expect(settleAll(coup, 1_000)).toEqual({
      player: { outcome: 'win', payout: 2_000 },
      banker: { outcome: 'lose', payout: 0 },
      tie: { outcome: 'lose', payout: 0 },
      playerPair: { outcome: 'lose', payout: 0 },
      bankerPair: { outcome: 'lose', payout: 0 },
    });
  });

  it('settles a banker win with commission and a banker pair', () => {
    // Player K-3 (3), banker 4-4 (8): a banker natural, nobody draws.
    const coup = coupOf([c('K'), c('4', 'hearts'), c('3'), c('4', 'clubs')]);
    expect(coup).toMatchObject({ playerTotal: 3, bankerTotal: 8, winner: 'banker', bankerPair: true });
    expect(settleAll(coup, 1_000)).toEqual({
      player: { outcome: 'lose', payout: 0 },
      banker: { outcome: 'win', payout: 1_950 },
      tie: { outcome: 'lose', payout: 0 },
      playerPair: { outcome: 'lose', payout: 0 },
      bankerPair: { outcome: 'win', payout: 12_000 },
    });
  });

  it('settles a tie after both third cards: player and banker push, tie pays 8 to 1', () => {
    // Player K-3 (3) draws a 4 (7); banker A-4 (5) sees a 4 and draws a 2 (7).
    const coup = coupOf([c('K'), c('A'), c('3'), c('4'), c('4', 'hearts'), c('2')]);
    expect(coup).toMatchObject({ playerTotal: 7, bankerTotal: 7, winner: 'tie' });
    expect(settleAll(coup, 1_000)).toEqual({
      player: { outcome: 'push', payout: 1_000 },
      banker: { outcome: 'push', payout: 1_000 },
      tie: { outcome: 'win', payout: 9_000 },
      playerPair: { outcome: 'lose', payout: 0 },
      bankerPair: { outcome: 'lose', payout: 0 },
    });
  });

  it('counts a pair by rank, not by value: Q-K is no pair, Q-Q of different suits is', () => {
    const noPair = coupOf([c('Q'), c('9'), c('K'), c('9', 'hearts')]);
    expect(settleBaccaratBet({ type: 'playerPair' }, 100, noPair).outcome).toBe('lose');
    expect(settleBaccaratBet({ type: 'bankerPair' }, 100, noPair).outcome).toBe('win');
    const pair = coupOf([c('Q', 'hearts'), c('9'), c('Q', 'clubs'), c('K')]);
    expect(settleBaccaratBet({ type: 'playerPair' }, 100, pair)).toEqual({ outcome: 'win', payout: 1_200 });
  });

  it('settles every coup of random seeded shoes as the rules card says, for every bet', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 1_000_000 }), (seed, stake) => {
        let shoe = shuffleShoe(seed);
        while (!isCutCardOut(shoe)) {
          const dealt = dealCoup(shoe);
          const cards = dealt.coup.cards.map((d) => d.card);
          for (const type of BACCARAT_BET_TYPES) {
            expect(settleBaccaratBet({ type }, stake, dealt.coup)).toEqual(referenceSettlement(type, cards, stake));
          }
          shoe = dealt.shoe;
        }
      }),
      { numRuns: 100, seed: 20_240_601 },
    );
  });

  it('refuses bad stakes and payouts beyond the safe integers', () => {
    const coup = coupOf([c('9'), c('2'), c('K'), c('K')]);
    for (const stake of [0, -5, 2.5, Number.NaN, 2 ** 53]) {
      expect(() => settleBaccaratBet({ type: 'player' }, stake, coup)).toThrow(RangeError);
    }
    const largest = Math.floor(Number.MAX_SAFE_INTEGER / 2);
    expect(settleBaccaratBet({ type: 'player' }, largest, coup).payout).toBe(largest * 2);
    expect(() => settleBaccaratBet({ type: 'player' }, largest + 1, coup)).toThrow(RangeError);
  });
});

describe('banker commission', () => {
  it('pays stake + floor(stake × 95 / 100) for every stake up to 200 000 minor units', () => {
    const coup = coupOf([c('K'), c('9'), c('K'), c('K')]);
    for (let stake = 1; stake <= 200_000; stake++) {
      const { outcome, payout } = settleBaccaratBet({ type: 'banker' }, stake, coup);
      if (outcome !== 'win' || payout !== stake + Math.floor((stake * 95) / 100)) {
        throw new Error(`banker stake ${stake} paid ${payout}`);
      }
    }
    expect(settleBaccaratBet({ type: 'banker' }, 1, coup).payout).toBe(1);
    expect(settleBaccaratBet({ type: 'banker' }, 20, coup).payout).toBe(39);
    expect(settleBaccaratBet({ type: 'banker' }, 99, coup).payout).toBe(193);
  });

  it('stays exact up to the largest safe stakes (checked against bigint arithmetic)', () => {
    const coup = coupOf([c('K'), c('9'), c('K'), c('K')]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (stake) => {
        const exact = BigInt(stake) + (BigInt(stake) * 95n) / 100n;
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(() => settleBaccaratBet({ type: 'banker' }, stake, coup)).toThrow(RangeError);
        } else {
          expect(BigInt(settleBaccaratBet({ type: 'banker' }, stake, coup).payout)).toBe(exact);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('house edge', () => {
  it('matches the published 8-deck figures exactly, over every card sequence (banker 1.06%, player 1.24%, tie 14.36%)', () => {
    // Every sequence of six card values, weighted by its probability without replacement from a
    // full 8-deck shoe (128 zero-value cards, 32 of each other value); cards a coup does not use
    // sum out. Stake 100 makes the commission exact, so this is the true edge of the module.
    const stake = 100;
    const counts = [128, 32, 32, 32, 32, 32, 32, 32, 32, 32];
    const net = { player: 0, banker: 0, tie: 0 };
    const cards = Array.from({ length: 6 }, () => ofValue(0));
    const visit = (depth: number, probability: number, remaining: number): void => {
      if (depth === 6) {
        const { coup } = dealCoup(shoeFromCards(cards, 6));
        for (const type of ['player', 'banker', 'tie'] as const) {
          net[type] += (probability * (settleBaccaratBet({ type }, stake, coup).payout - stake)) / stake;
        }
        return;
      }
      for (let v = 0; v <= 9; v++) {
        const n = counts[v] as number;
        cards[depth] = ofValue(v);
        counts[v] = n - 1;
        visit(depth + 1, (probability * n) / remaining, remaining - 1);
        counts[v] = n;
      }
    };
    visit(0, 1, 416);
    expect(-net.banker).toBeCloseTo(0.010579, 6);
    expect(-net.player).toBeCloseTo(0.012351, 6);
    expect(-net.tie).toBeCloseTo(0.143596, 6);
  }, 60_000);

  it('is 43/415 ≈ 10.36% on each pair bet, over every rank of the first two cards', () => {
    const stake = 10;
    for (const type of ['playerPair', 'bankerPair'] as const) {
      // Player's cards are dealt first and third, banker's second and fourth.
      const [first, second] = type === 'playerPair' ? [0, 2] : [1, 3];
      let net = 0;
      for (const a of RANKS) {
        for (const b of RANKS) {
          const cards = [c('K', 'hearts'), c('K', 'hearts'), c('K', 'hearts'), c('K', 'hearts'), c('5'), c('5')];
          cards[first] = c(a);
          cards[second] = c(b);
          const { coup } = dealCoup(shoeFromCards(cards, 6));
          const probability = (32 / 416) * ((a === b ? 31 : 32) / 415);
          net += (probability * (settleBaccaratBet({ type }, stake, coup).payout - stake)) / stake;
        }
      }
      expect(-net).toBeCloseTo(43 / 415, 12);
    }
  });
});

describe('coupFromCards', () => {
  it('rebuilds every coup of random seeded shoes from its cards alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        let shoe = shuffleShoe(seed);
        while (!isCutCardOut(shoe)) {
          const dealt = dealCoup(shoe);
          expect(coupFromCards(dealt.coup.cards.map((d) => d.card))).toEqual({ ok: true, value: dealt.coup });
          shoe = dealt.shoe;
        }
      }),
      { numRuns: 50, seed: 7 },
    );
  });

  it('rejects a sequence the third-card rules could not have dealt', () => {
    const rejected: [Card[], string][] = [
      [[ofValue(1), ofValue(2), ofValue(3)], 'a coup has 4 to 6 cards, got 3'],
      [Array(7).fill(ofValue(0)), 'a coup has 4 to 6 cards, got 7'],
      // Player 2 must draw, banker 3 then sees the player's card.
      [[ofValue(1), ofValue(1), ofValue(1), ofValue(2)], 'the third-card rules deal 6 cards here, not 4'],
      // A natural 9 ends the coup.
      [[ofValue(9), ofValue(1), ofValue(0), ofValue(2), ofValue(5)], 'the third-card rules deal 4 cards here, not 5'],
      // Player stands on 7 and banker on 6: four cards, not six.
      [
        [ofValue(3), ofValue(3), ofValue(4), ofValue(3), ofValue(5), ofValue(5)],
        'the third-card rules deal 4 cards here, not 6',
      ],
      // Player draws a 9 to 5; banker on 4 stands against a 9.
      [
        [ofValue(2), ofValue(2), ofValue(3), ofValue(2), ofValue(9), ofValue(1)],
        'the third-card rules deal 5 cards here, not 6',
      ],
      [[ofValue(1), ofValue(1), ofValue(1), { rank: '1', suit: 'spades' } as unknown as Card], 'not a card'],
    ];
    for (const [cards, message] of rejected) {
      expect(coupFromCards(cards), message).toEqual({ ok: false, error: { code: 'RESULT_INVALID', message } });
    }
  });
});
