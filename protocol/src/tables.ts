import { type Static, Type } from '@sinclair/typebox';
import { GameKind } from './primitives.js';
import { RoundState } from './rounds.js';
import { TableId } from './sfuSignalling.js';

export { GameKind } from './primitives.js';

/**
 * A table's round as the lobby shows it: its phase and how long betting stays open. The lobby is
 * not the video a player bets on, so its countdown runs on the server's clock at the time of the
 * answer; the table view counts down in video time.
 */
export const TablePhase = Type.Object({
  roundId: Type.String(),
  number: Type.Integer(),
  state: RoundState,
  /** Milliseconds from this answer to the end of betting on the server's clock; null unless betting is open. */
  bettingEndsInMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
});
export type TablePhase = Static<typeof TablePhase>;

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
  /** People watching the table's video now, as the sfu counts them (WebRTC and HLS). */
  viewers: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The round in play as the lobby shows it; null between rounds. */
  round: Type.Optional(Type.Union([TablePhase, Type.Null()])),
  /** A still of the table's video, refreshed every few seconds (only while the table is live). */
  thumbnailUrl: Type.Optional(Type.String()),
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
