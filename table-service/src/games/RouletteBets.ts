/**
 * European (single-zero) roulette bets: what a player may bet, which pockets each bet covers and
 * what it pays. Pure and table-driven; the layout geometry comes from the protocol package.
 *
 * Inside bets name the numbers they cover, in any order: `{ type: 'split', numbers: [17, 20] }`.
 * Validation returns the canonical bet (numbers ascending) so that logs and retries compare equal.
 *
 * - straight: one number, 0-36.
 * - split: two numbers side by side on the layout, including 0-1, 0-2 and 0-3.
 * - street: a row of three (1-2-3 … 34-35-36) or one of the two zero trios 0-1-2 and 0-2-3.
 * - corner: four numbers meeting at a corner (1-2-4-5 … 32-33-35-36).
 * - firstFour: 0-1-2-3. Named for what it covers because "basket" means 0-00-1-2-3 on an American
 *   layout and, on some European tables, the 0-1-2 trio.
 * - sixLine: two adjacent rows (1-6 … 31-36).
 * Outside bets: dozen 1-3, column 1-3, red, black, odd, even, low (1-18), high (19-36). Zero loses
 * every outside bet: this table has no la partage / en prison.
 *
 * Every bet pays 36/(numbers covered) − 1 to 1, so every bet returns 36/37 of its stake on average
 * (house edge 1/37 ≈ 2.70%); the tests hold the payout table to that.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { columnOf, dozenOf, isPocket, pocketColour } from '@live-casino/protocol/games/roulette';
import {
  type Odds,
  type RuleResult,
  type Settlement,
  accept,
  assertStake,
  assertUnreachable,
  reject,
  winningPayout,
} from './GameTypes.js';

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
    if (columnOf(n) !== 3) bets.push({ type: 'split', numbers: [n, n + 1] });
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
function betKey(bet: RouletteBet): string {
  if ('numbers' in bet) return `${bet.type} ${[...bet.numbers].sort((a, b) => a - b).join('-')}`;
  if ('dozen' in bet) return `dozen ${bet.dozen}`;
  if ('column' in bet) return `column ${bet.column}`;
  return bet.type;
}

const CANONICAL_BETS: ReadonlyMap<string, RouletteBet> = new Map(ROULETTE_BETS.map((bet) => [betKey(bet), bet]));

/**
 * Checks an inbound bet (any JSON) against the schema and the layout, and returns the canonical,
 * frozen bet (inside numbers ascending).
 */
export function validateRouletteBet(input: unknown): RuleResult<RouletteBet> {
  if (!Value.Check(RouletteBet, input)) return reject('BET_INVALID', 'not a roulette bet');
  const canonical = CANONICAL_BETS.get(betKey(input));
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
  if (!CANONICAL_BETS.has(betKey(bet))) throw new RangeError(`not a roulette bet: ${JSON.stringify(bet)}`);
  switch (bet.type) {
    case 'straight':
    case 'split':
    case 'street':
    case 'corner':
    case 'firstFour':
    case 'sixLine': {
      const numbers: readonly number[] = bet.numbers;
      return (pocket) => numbers.includes(pocket);
    }
    case 'dozen':
      return (pocket) => dozenOf(pocket) === bet.dozen;
    case 'column':
      return (pocket) => columnOf(pocket) === bet.column;
    case 'red':
      return (pocket) => pocketColour(pocket) === 'red';
    case 'black':
      return (pocket) => pocketColour(pocket) === 'black';
    case 'odd':
      return (pocket) => pocket % 2 === 1;
    case 'even':
      return (pocket) => pocket !== 0 && pocket % 2 === 0;
    case 'low':
      return (pocket) => pocket >= 1 && pocket <= 18;
    case 'high':
      return (pocket) => pocket >= 19;
    default:
      return assertUnreachable(bet);
  }
}

function deepFreeze<T extends object>(bets: T[]): readonly T[] {
  for (const bet of bets) {
    for (const value of Object.values(bet)) if (typeof value === 'object' && value !== null) Object.freeze(value);
    Object.freeze(bet);
  }
  return Object.freeze(bets);
}
