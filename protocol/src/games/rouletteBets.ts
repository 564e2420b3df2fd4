/**
 * The bets of European (single-zero) roulette as the wire carries them, their payout table and
 * every bet the layout offers (what a player's overlay draws). Inside bets name the numbers they
 * cover, in any order: `{ type: 'split', numbers: [17, 20] }`; the canonical bet has them ascending.
 * Whether a bet is on the layout, and what it wins, is table-service's (games/RouletteBets.ts).
 *
 * - straight: one number, 0-36.
 * - split: two numbers side by side on the layout, including 0-1, 0-2 and 0-3.
 * - street: a row of three (1-2-3 … 34-35-36) or one of the two zero trios 0-1-2 and 0-2-3.
 * - corner: four numbers meeting at a corner (1-2-4-5 … 32-33-35-36).
 * - firstFour: 0-1-2-3. Named for what it covers because "basket" means 0-00-1-2-3 on an American
 *   layout and, on some European tables, the 0-1-2 trio.
 * - sixLine: two adjacent rows (1-6 … 31-36).
 * Outside bets: dozen 1-3, column 1-3, red, black, odd, even, low (1-18), high (19-36).
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

import type { Odds } from './odds.js';
import { columnOf, dozenOf, pocketColour } from './wheel.js';

export type { Odds } from './odds.js';

const Pocket = Type.Integer({ minimum: 0, maximum: 36 });
const Third = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]);
const strict = { additionalProperties: false } as const;

const insideBet = <T extends string, N extends TSchema>(type: T, numbers: N) =>
  Type.Object({ type: Type.Literal(type), numbers }, strict);
const outsideBet = <T extends string>(type: T) => Type.Object({ type: Type.Literal(type) }, strict);

export const StraightBet = insideBet('straight', Type.Tuple([Pocket]));
export const SplitBet = insideBet('split', Type.Tuple([Pocket, Pocket]));
export const StreetBet = insideBet('street', Type.Tuple([Pocket, Pocket, Pocket]));
export const CornerBet = insideBet('corner', Type.Tuple([Pocket, Pocket, Pocket, Pocket]));
export const FirstFourBet = insideBet('firstFour', Type.Tuple([Pocket, Pocket, Pocket, Pocket]));
export const SixLineBet = insideBet('sixLine', Type.Tuple([Pocket, Pocket, Pocket, Pocket, Pocket, Pocket]));
export const DozenBet = Type.Object({ type: Type.Literal('dozen'), dozen: Third }, strict);
export const ColumnBet = Type.Object({ type: Type.Literal('column'), column: Third }, strict);

/**
 * The wire shape of a roulette bet. It checks shapes and ranges only: whether the numbers form
 * that bet on the layout is `validateRouletteBet`'s job, which every inbound bet goes through.
 */
export const RouletteBet = Type.Union([
  StraightBet,
  SplitBet,
  StreetBet,
  CornerBet,
  FirstFourBet,
  SixLineBet,
  DozenBet,
  ColumnBet,
  outsideBet('red'),
  outsideBet('black'),
  outsideBet('odd'),
  outsideBet('even'),
  outsideBet('low'),
  outsideBet('high'),
]);
export type RouletteBet = Static<typeof RouletteBet>;
export type RouletteBetType = RouletteBet['type'];
export type RouletteInsideBet = Extract<RouletteBet, { numbers: unknown }>;

/** The payout table. */
export const ROULETTE_ODDS = {
  straight: [35, 1],
  split: [17, 1],
  street: [11, 1],
  corner: [8, 1],
  firstFour: [8, 1],
  sixLine: [5, 1],
  dozen: [2, 1],
  column: [2, 1],
  red: [1, 1],
  black: [1, 1],
  odd: [1, 1],
  even: [1, 1],
  low: [1, 1],
  high: [1, 1],
} as const satisfies Record<RouletteBetType, Odds>;

export const ROULETTE_BET_TYPES = Object.keys(ROULETTE_ODDS) as RouletteBetType[];

const POCKETS: readonly number[] = Array.from({ length: 37 }, (_, n) => n);
const ROWS = 12;
/** First number of a row of the layout (1-12): row r holds 3r−2, 3r−1, 3r. */
const rowStart = (row: number): number => 3 * row - 2;

/** Every valid inside bet, built from the layout: 37 + 60 + 14 + 22 + 1 + 11 = 145. */
function layoutInsideBets(): RouletteInsideBet[] {
  const bets: RouletteInsideBet[] = [];
  for (const n of POCKETS) bets.push({ type: 'straight', numbers: [n] });

  bets.push({ type: 'split', numbers: [0, 1] }, { type: 'split', numbers: [0, 2] }, { type: 'split', numbers: [0, 3] });
  for (let n = 1; n <= 36; n++) {
    // Not from the third column: its right-hand neighbour is on the next row.
    if (n % 3 !== 0) bets.push({ type: 'split', numbers: [n, n + 1] });
    if (n + 3 <= 36) bets.push({ type: 'split', numbers: [n, n + 3] });
  }

  bets.push({ type: 'street', numbers: [0, 1, 2] }, { type: 'street', numbers: [0, 2, 3] });
  for (let row = 1; row <= ROWS; row++) {
    const n = rowStart(row);
    bets.push({ type: 'street', numbers: [n, n + 1, n + 2] });
  }

  for (let row = 1; row < ROWS; row++) {
    for (const n of [rowStart(row), rowStart(row) + 1])
      bets.push({ type: 'corner', numbers: [n, n + 1, n + 3, n + 4] });
  }

  bets.push({ type: 'firstFour', numbers: [0, 1, 2, 3] });

  for (let row = 1; row < ROWS; row++) {
    const n = rowStart(row);
    bets.push({ type: 'sixLine', numbers: [n, n + 1, n + 2, n + 3, n + 4, n + 5] });
  }
  return bets;
}

function outsideBets(): RouletteBet[] {
  return [
    ...([1, 2, 3] as const).map((dozen) => ({ type: 'dozen', dozen }) as const),
    ...([1, 2, 3] as const).map((column) => ({ type: 'column', column }) as const),
    ...(['red', 'black', 'odd', 'even', 'low', 'high'] as const).map((type) => ({ type })),
  ];
}

/** Every bet a player can make on the layout: 145 inside and 12 outside, each in canonical form. */
export const ROULETTE_BETS: readonly RouletteBet[] = deepFreeze([...layoutInsideBets(), ...outsideBets()]);

/** Identifies a bet whatever the order of its numbers or properties. */
export function rouletteBetKey(bet: RouletteBet): string {
  if ('numbers' in bet) return `${bet.type} ${[...bet.numbers].sort((a, b) => a - b).join('-')}`;
  if ('dozen' in bet) return `dozen ${bet.dozen}`;
  if ('column' in bet) return `column ${bet.column}`;
  return bet.type;
}

/**
 * Whether a bet of the layout wins on `pocket` (0-36). Zero loses every outside bet (no la partage
 * or en prison). table-service settles with it; the overlay lights the winning spots with it.
 */
export function rouletteBetWins(bet: RouletteBet, pocket: number): boolean {
  switch (bet.type) {
    case 'straight':
    case 'split':
    case 'street':
    case 'corner':
    case 'firstFour':
    case 'sixLine':
      return (bet.numbers as readonly number[]).includes(pocket);
    case 'dozen':
      return dozenOf(pocket) === bet.dozen;
    case 'column':
      return columnOf(pocket) === bet.column;
    case 'red':
      return pocketColour(pocket) === 'red';
    case 'black':
      return pocketColour(pocket) === 'black';
    case 'odd':
      return pocket % 2 === 1;
    case 'even':
      return pocket !== 0 && pocket % 2 === 0;
    case 'low':
      return pocket >= 1 && pocket <= 18;
    case 'high':
      return pocket >= 19;
  }
}

function deepFreeze<T extends object>(bets: T[]): readonly T[] {
  for (const bet of bets) {
    for (const value of Object.values(bet)) if (typeof value === 'object' && value !== null) Object.freeze(value);
    Object.freeze(bet);
  }
  return Object.freeze(bets);
}
