import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Card,
  type Rank,
  RANKS,
  SUITS,
  bankerDraws,
  cardValue,
  cardsRemaining,
  dealCoup,
  handTotal,
  isCutCardOut,
  orderedCards,
  playerDraws,
  shoeFromCards,
  shuffleShoe,
} from '../src/games/baccarat.js';

const RANK_OF_VALUE: readonly Rank[] = ['K', 'A', '2', '3', '4', '5', '6', '7', '8', '9'];
const card = (value: number, suit: Card['suit'] = 'spades'): Card => ({ rank: RANK_OF_VALUE[value] as Rank, suit });

/**
 * The banker's third-card table as printed on punto banco rule cards: rows are the banker's
 * two-card total, columns the value of the player's third card 0..9, then "player stood".
 */
const PUBLISHED_BANKER_TABLE: Record<number, string> = {
  //   0123456789 stood
  0: 'DDDDDDDDDD D',
  1: 'DDDDDDDDDD D',
  2: 'DDDDDDDDDD D',
  3: 'DDDDDDDDSD D',
  4: 'SSDDDDDDSS D',
  5: 'SSSSDDDDSS D',
  6: 'SSSSSSDDSS S',
  7: 'SSSSSSSSSS S',
};

/** The rules written out the way a dealer learns them, independent of the module's table. */
function referenceCoup(values: readonly number[]): { used: number; player: number; banker: number } {
  let player = ((values[0] ?? 0) + (values[2] ?? 0)) % 10;
  let banker = ((values[1] ?? 0) + (values[3] ?? 0)) % 10;
  let used = 4;
  if (player >= 8 || banker >= 8) return { used, player, banker };
  let playerThird: number | undefined;
  if (player <= 5) {
    playerThird = values[used++] ?? 0;
    player = (player + playerThird) % 10;
  }
  let bankerDrawsThird: boolean;
  if (playerThird === undefined) bankerDrawsThird = banker <= 5;
  else if (banker <= 2) bankerDrawsThird = true;
  else if (banker === 3) bankerDrawsThird = playerThird !== 8;
  else if (banker === 4) bankerDrawsThird = playerThird >= 2 && playerThird <= 7;
  else if (banker === 5) bankerDrawsThird = playerThird >= 4 && playerThird <= 7;
  else if (banker === 6) bankerDrawsThird = playerThird === 6 || playerThird === 7;
  else bankerDrawsThird = false;
  if (bankerDrawsThird) banker = (banker + (values[used++] ?? 0)) % 10;
  return { used, player, banker };
}

describe('baccarat cards', () => {
  it('values aces 1, pips at face, tens and court cards 0', () => {
    const values = RANKS.map((rank) => cardValue({ rank, suit: 'hearts' }));
    expect(values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0]);
  });

  it('totals hands modulo 10', () => {
    expect(handTotal([card(7), card(8)])).toBe(5);
    expect(handTotal([card(9), card(0), card(1)])).toBe(0);
    expect(handTotal([])).toBe(0);
  });

  it('builds an 8-deck shoe of 416 cards, eight of each of the 52 cards', () => {
    const cards = orderedCards();
    expect(cards).toHaveLength(416);
    const counts = new Map<string, number>();
    for (const c of cards) counts.set(`${c.rank}${c.suit}`, (counts.get(`${c.rank}${c.suit}`) ?? 0) + 1);
    expect(counts.size).toBe(52);
    expect([...counts.values()].every((n) => n === 8)).toBe(true);
  });
});

describe('third-card rules', () => {
  it('player draws on 0-5 and stands on 6-7', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(playerDraws)).toEqual([true, true, true, true, true, true, false, false]);
  });

  it('banker draws exactly as the published table says, for every total and third card', () => {
    for (let banker = 0; banker <= 7; banker++) {
      const row = PUBLISHED_BANKER_TABLE[banker] as string;
      for (let third = 0; third <= 9; third++) {
        expect(bankerDraws(banker, third), `banker ${banker}, player third ${third}`).toBe(row[third] === 'D');
      }
      expect(bankerDraws(banker, null), `banker ${banker}, player stood`).toBe(row[11] === 'D');
    }
  });

  it('refuses to ask the table about naturals and impossible totals', () => {
    expect(() => bankerDraws(8, 3)).toThrow(RangeError);
    expect(() => bankerDraws(10, null)).toThrow(RangeError);
    expect(() => bankerDraws(3, 10)).toThrow(RangeError);
    expect(() => playerDraws(-1)).toThrow(RangeError);
  });
});

describe('dealCoup', () => {
  it('agrees with the dealer rules on every one of the 10^6 six-card value sequences, and reproduces the 8-deck house edge', () => {
    // Exact probability of each sequence when drawn without replacement from a full 8-deck shoe;
    // unused trailing cards sum out, so the totals are the exact 8-deck outcome probabilities.
    const counts = [128, 32, 32, 32, 32, 32, 32, 32, 32, 32];
    const outcome = { player: 0, banker: 0, tie: 0 };
    const values = [0, 0, 0, 0, 0, 0];
    const cards = values.map((v) => card(v));
    let mismatches = 0;
    const visit = (depth: number, probability: number, remaining: number): void => {
      if (depth === 6) {
        const { coup, shoe } = dealCoup(shoeFromCards(cards, 6));
        const ref = referenceCoup(values);
        if (
          coup.playerTotal !== ref.player ||
          coup.bankerTotal !== ref.banker ||
          coup.cards.length !== ref.used ||
          shoe.position !== ref.used
        ) {
          mismatches++;
        }
        outcome[coup.winner] += probability;
        return;
      }
      for (let v = 0; v <= 9; v++) {
        const n = counts[v] as number;
        values[depth] = v;
        cards[depth] = card(v);
        counts[v] = n - 1;
        visit(depth + 1, (probability * n) / remaining, remaining - 1);
        counts[v] = n;
      }
    };
    visit(0, 1, 416);
    expect(mismatches).toBe(0);
    // Published 8-deck punto banco probabilities.
    expect(outcome.banker).toBeCloseTo(0.458597, 6);
    expect(outcome.player).toBeCloseTo(0.446247, 6);
    expect(outcome.tie).toBeCloseTo(0.095156, 6);
  }, 60_000);

  it('deals in the order P1, B1, P2, B2, P3, B3 from the top of the shoe', () => {
    // Player 0+3=3 draws a 4 (7); banker 1+4=5 sees a 4 and draws.
    const shoe = shoeFromCards([card(0), card(1), card(3), card(4), card(4), card(2), card(9), card(9)], 6);
    const { coup, shoe: after } = dealCoup(shoe);
    expect(coup.cards.map((c) => c.position)).toEqual(['P1', 'B1', 'P2', 'B2', 'P3', 'B3']);
    expect(coup.cards.map((c) => cardValue(c.card))).toEqual([0, 1, 3, 4, 4, 2]);
    expect(coup).toMatchObject({ playerTotal: 7, bankerTotal: 7, winner: 'tie', natural: false });
    expect(after.position).toBe(6);
    expect(shoe.position).toBe(0);
  });

  it('stops at a natural and lets the banker draw alone when the player stands', () => {
    const natural = dealCoup(shoeFromCards([card(4), card(2), card(4), card(3), ...Array(6).fill(card(5))], 6)).coup;
    expect(natural).toMatchObject({ natural: true, playerTotal: 8, bankerTotal: 5, winner: 'player' });
    expect(natural.cards).toHaveLength(4);

    const bankerOnly = dealCoup(shoeFromCards([card(3), card(2), card(3), card(1), card(4), card(9)], 6)).coup;
    expect(bankerOnly.cards.map((c) => c.position)).toEqual(['P1', 'B1', 'P2', 'B2', 'B3']);
    expect(bankerOnly).toMatchObject({ playerTotal: 6, bankerTotal: 7, winner: 'banker' });
  });

  it('flags pairs on the first two cards by rank', () => {
    const coup = dealCoup(
      shoeFromCards(
        [
          { rank: 'Q', suit: 'hearts' },
          { rank: '3', suit: 'clubs' },
          { rank: 'Q', suit: 'spades' },
          { rank: '4', suit: 'clubs' },
          ...Array(4).fill(card(0)),
        ],
        6,
      ),
    ).coup;
    expect(coup.playerPair).toBe(true);
    expect(coup.bankerPair).toBe(false);
  });

  it('refuses to deal from a shoe that might run out mid-coup', () => {
    const shoe = shoeFromCards(Array(10).fill(card(0)), 6);
    expect(() => dealCoup({ ...shoe, position: 5 })).toThrow(RangeError);
  });
});

describe('shuffled shoe', () => {
  it('is a permutation of the 8 decks, fixed by its seed', () => {
    const a = shuffleShoe(42);
    const b = shuffleShoe(42);
    const c = shuffleShoe(43);
    expect(a.cards).toEqual(b.cards);
    expect(a.cards).not.toEqual(c.cards);
    const key = (x: Card): string => `${x.rank}${x.suit}`;
    expect(a.cards.map(key).sort()).toEqual(orderedCards().map(key).sort());
    expect(a.cutCardIndex).toBe(416 - 14);
  });

  it('spreads ranks evenly over positions (no modulo or shuffle bias)', () => {
    // Aces at position 0 over 4000 shoes: expected 4000 * 32/416 ≈ 307.7, sd ≈ 16.9.
    let aces = 0;
    for (let seed = 0; seed < 4000; seed++) if (shuffleShoe(seed).cards[0]?.rank === 'A') aces++;
    expect(Math.abs(aces - 307.7)).toBeLessThan(6 * 16.9);
  });

  it('deals a whole shoe coup by coup until the cut card, every coup legal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
        let shoe = shuffleShoe(seed);
        let coups = 0;
        while (!isCutCardOut(shoe)) {
          const before = shoe.position;
          const dealt = dealCoup(shoe);
          const ref = referenceCoup(dealt.coup.cards.map((c) => cardValue(c.card)));
          expect(dealt.coup.cards.map((c) => c.card)).toEqual(shoe.cards.slice(before, dealt.shoe.position));
          expect([dealt.coup.playerTotal, dealt.coup.bankerTotal]).toEqual([ref.player, ref.banker]);
          shoe = dealt.shoe;
          coups++;
        }
        expect(cardsRemaining(shoe)).toBeGreaterThanOrEqual(6);
        expect(coups).toBeGreaterThan(60);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad seeds and impossible cut cards', () => {
    expect(() => shuffleShoe(-1)).toThrow(RangeError);
    expect(() => shuffleShoe(1.5)).toThrow(RangeError);
    expect(() => shoeFromCards(orderedCards(1), 5)).toThrow(RangeError);
    expect(SUITS).toHaveLength(4);
  });
});
