/**
 * Punto banco baccarat: cards, hand values, an 8-deck shoe with a seeded shuffle, and the coup
 * with the standard (non-negotiable) third-card rules. Pure, no I/O: the simulator deals from it,
 * vision checks readings against it and table-service settles with it.
 */

export const RANKS = ['A', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'J', 'Q', 'K'] as const;
export type Rank = (typeof RANKS)[number];

export const SUITS = ['spades', 'hearts', 'diamonds', 'clubs'] as const;
export type Suit = (typeof SUITS)[number];

export interface Card {
  readonly rank: Rank;
  readonly suit: Suit;
}

/** Dealing positions, named as on the layout: Player's and Banker's first, second and third card. */
export const CARD_POSITIONS = ['P1', 'B1', 'P2', 'B2', 'P3', 'B3'] as const;
export type CardPosition = (typeof CARD_POSITIONS)[number];

export interface DealtCard {
  readonly position: CardPosition;
  readonly card: Card;
}

export type CoupWinner = 'player' | 'banker' | 'tie';

export interface Coup {
  /** Every card in the order it leaves the shoe: P1, B1, P2, B2, then P3 and/or B3 when drawn. */
  readonly cards: readonly DealtCard[];
  readonly playerCards: readonly Card[];
  readonly bankerCards: readonly Card[];
  readonly playerTotal: number;
  readonly bankerTotal: number;
  readonly winner: CoupWinner;
  /** Either side had 8 or 9 on its first two cards, so nobody drew. */
  readonly natural: boolean;
  /** The side's first two cards have the same rank (the Player Pair / Banker Pair side bets). */
  readonly playerPair: boolean;
  readonly bankerPair: boolean;
}

export interface Shoe {
  readonly cards: readonly Card[];
  /** Index of the next card to deal. */
  readonly position: number;
  /** When `position` reaches this index the cut card is out: finish the coup, then change shoes. */
  readonly cutCardIndex: number;
}

export const SHOE_DECKS = 8;
/** Cards behind the cut card; casinos place it 14-16 cards from the back of an 8-deck shoe. */
export const DEFAULT_CUT_CARD_FROM_END = 14;
/** A coup never needs more than six cards. */
export const MAX_CARDS_PER_COUP = 6;

export function isRedSuit(suit: Suit): boolean {
  return suit === 'hearts' || suit === 'diamonds';
}

/** Baccarat value: ace 1, two to nine at face value, ten and court cards 0. */
export function cardValue(card: Card): number {
  switch (card.rank) {
    case 'A':
      return 1;
    case '10':
    case 'J':
    case 'Q':
    case 'K':
      return 0;
    default:
      return Number(card.rank);
  }
}

/** Hand total: the sum of values, modulo 10. */
export function handTotal(cards: readonly Card[]): number {
  let sum = 0;
  for (const card of cards) sum += cardValue(card);
  return sum % 10;
}

/** Player draws a third card on 0-5 and stands on 6-7 (naturals 8-9 are handled before). */
export function playerDraws(playerTotal: number): boolean {
  assertTotal(playerTotal);
  return playerTotal <= 5;
}

/**
 * The banker's drawing table, indexed by banker total (0-7): the values of the player's third card
 * on which the banker draws. Totals 0-2 always draw, 7 always stands.
 */
const BANKER_DRAWS_ON: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [0, 1, 2, 3, 4, 5, 6, 7, 9],
  [2, 3, 4, 5, 6, 7],
  [4, 5, 6, 7],
  [6, 7],
  [],
];

/**
 * Whether the banker draws, given the banker's two-card total and the value of the player's third
 * card (null when the player stood, in which case the banker plays like the player: draw on 0-5).
 * Naturals (8-9 on either side) are handled before this is asked.
 */
export function bankerDraws(bankerTotal: number, playerThirdCardValue: number | null): boolean {
  assertTotal(bankerTotal);
  if (bankerTotal >= 8) throw new RangeError(`banker total ${bankerTotal} is a natural, nobody draws`);
  if (playerThirdCardValue === null) return bankerTotal <= 5;
  assertTotal(playerThirdCardValue);
  return (BANKER_DRAWS_ON[bankerTotal] as readonly number[]).includes(playerThirdCardValue);
}

function assertTotal(total: number): void {
  if (!Number.isInteger(total) || total < 0 || total > 9) throw new RangeError(`not a baccarat total: ${total}`);
}

/** A shoe's worth of cards in pack order (unshuffled). */
export function orderedCards(decks: number = SHOE_DECKS): Card[] {
  if (!Number.isInteger(decks) || decks < 1) throw new RangeError(`bad deck count: ${decks}`);
  const cards: Card[] = [];
  for (let d = 0; d < decks; d++) {
    for (const suit of SUITS) for (const rank of RANKS) cards.push({ rank, suit });
  }
  return cards;
}

/** A shoe over the given cards, in the given order (tests and replays use this directly). */
export function shoeFromCards(cards: readonly Card[], cutCardFromEnd = DEFAULT_CUT_CARD_FROM_END): Shoe {
  if (cutCardFromEnd < MAX_CARDS_PER_COUP || cutCardFromEnd > cards.length) {
    throw new RangeError(`cut card ${cutCardFromEnd} from the end does not fit a shoe of ${cards.length}`);
  }
  return { cards: [...cards], position: 0, cutCardIndex: cards.length - cutCardFromEnd };
}

/**
 * A freshly shuffled shoe, fully determined by `seed` (a uint32), so that a simulated table or a
 * disputed round can be replayed card for card.
 */
export function shuffleShoe(
  seed: number,
  { decks = SHOE_DECKS, cutCardFromEnd = DEFAULT_CUT_CARD_FROM_END }: { decks?: number; cutCardFromEnd?: number } = {},
): Shoe {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a uint32: ${seed}`);
  const cards = orderedCards(decks);
  const next = sfc32(seed);
  // Fisher-Yates with rejection sampling: a plain `% n` would favour low indices.
  for (let i = cards.length - 1; i > 0; i--) {
    const j = uniformBelow(next, i + 1);
    const tmp = cards[i] as Card;
    cards[i] = cards[j] as Card;
    cards[j] = tmp;
  }
  return shoeFromCards(cards, cutCardFromEnd);
}

export function cardsRemaining(shoe: Shoe): number {
  return shoe.cards.length - shoe.position;
}

export function isCutCardOut(shoe: Shoe): boolean {
  return shoe.position >= shoe.cutCardIndex;
}

/**
 * Deals one coup from the shoe without touching it: returns the coup and the shoe after it.
 * Order and rules: P1, B1, P2, B2; a natural (8/9) on either side ends the coup; otherwise the
 * player draws on 0-5, then the banker draws per the banker's table.
 */
export function dealCoup(shoe: Shoe): { coup: Coup; shoe: Shoe } {
  if (cardsRemaining(shoe) < MAX_CARDS_PER_COUP) {
    throw new RangeError(`only ${cardsRemaining(shoe)} cards left in the shoe; a coup may need ${MAX_CARDS_PER_COUP}`);
  }
  let position = shoe.position;
  const dealt: DealtCard[] = [];
  const draw = (where: CardPosition): Card => {
    const card = shoe.cards[position++] as Card;
    dealt.push({ position: where, card });
    return card;
  };

  const playerCards = [draw('P1')];
  const bankerCards = [draw('B1')];
  playerCards.push(draw('P2'));
  bankerCards.push(draw('B2'));

  const playerTwo = handTotal(playerCards);
  const bankerTwo = handTotal(bankerCards);
  const natural = playerTwo >= 8 || bankerTwo >= 8;
  if (!natural) {
    let playerThird: number | null = null;
    if (playerDraws(playerTwo)) {
      const third = draw('P3');
      playerCards.push(third);
      playerThird = cardValue(third);
    }
    if (bankerDraws(bankerTwo, playerThird)) bankerCards.push(draw('B3'));
  }

  const playerTotal = handTotal(playerCards);
  const bankerTotal = handTotal(bankerCards);
  const coup: Coup = {
    cards: dealt,
    playerCards,
    bankerCards,
    playerTotal,
    bankerTotal,
    winner: playerTotal > bankerTotal ? 'player' : bankerTotal > playerTotal ? 'banker' : 'tie',
    natural,
    playerPair: playerCards[0]?.rank === playerCards[1]?.rank,
    bankerPair: bankerCards[0]?.rank === bankerCards[1]?.rank,
  };
  return { coup, shoe: { ...shoe, position } };
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counter), seeded through splitmix32; returns uint32s. */
function sfc32(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

function uniformBelow(next: () => number, n: number): number {
  const limit = 0x100000000 - (0x100000000 % n);
  for (;;) {
    const x = next();
    if (x < limit) return x % n;
  }
}
export * from './baccaratBets.js';
