/**
 * Punto banco bets as the wire carries them, and their payout table; settlement is table-service's
 * (games/BaccaratBets.ts).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { Odds } from './odds.js';

/** The payout table. */
export const BACCARAT_ODDS = {
  player: [1, 1],
  banker: [95, 100],
  tie: [8, 1],
  playerPair: [11, 1],
  bankerPair: [11, 1],
} as const satisfies Record<string, Odds>;

export type BaccaratBetType = keyof typeof BACCARAT_ODDS;
export const BACCARAT_BET_TYPES = Object.keys(BACCARAT_ODDS) as BaccaratBetType[];

/** The wire shape of a baccarat bet. */
export const BaccaratBet = Type.Object(
  { type: Type.Union(BACCARAT_BET_TYPES.map((type) => Type.Literal(type))) },
  { additionalProperties: false },
);
export type BaccaratBet = Static<typeof BaccaratBet>;
