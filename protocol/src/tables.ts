import { type Static, Type } from '@sinclair/typebox';
import { TableId } from './sfuSignalling.js';

export const GameKind = Type.Union([Type.Literal('roulette'), Type.Literal('baccarat')]);
export type GameKind = Static<typeof GameKind>;

/** What the lobby shows of a table. */
export const TableSummary = Type.Object({
  tableId: TableId,
  name: Type.String(),
  game: GameKind,
  live: Type.Boolean(),
  currency: Type.Optional(Type.String()),
  /** Min/max stake per bet type, minor units. */
  limits: Type.Optional(Type.Record(Type.String(), Type.Object({ min: Type.Integer(), max: Type.Integer() }))),
  maxPlayerStakePerRound: Type.Optional(Type.Integer()),
  bettingWindowS: Type.Optional(Type.Number()),
  /** Results are cross-checked with vision: the dealer's result alone does not confirm a round. */
  visionCheck: Type.Optional(Type.Boolean()),
});
export type TableSummary = Static<typeof TableSummary>;

/** Where a viewer finds a table's media, with a token to watch it. */
export const StreamGrant = Type.Object({
  tableId: TableId,
  token: Type.String(),
  expiresAt: Type.Number(),
  sfuUrl: Type.String(),
  hlsUrl: Type.String(),
});
export type StreamGrant = Static<typeof StreamGrant>;
