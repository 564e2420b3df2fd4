import { type Static, Type } from '@sinclair/typebox';
import { ErrorCodeSchema } from './errors.js';
import { literalUnion } from './literals.js';
import { AnsweredBet, BET_STATUSES, BetDto, RoundDto, RoundResult } from './rounds.js';
import { TableSummary } from './tables.js';
import { Alert, VisionReading } from './vision.js';

/**
 * The answers of table-service's HTTP routes that are lists or compositions of the contract's
 * records: named here, so that the routes, the OpenAPI document and the clients share them.
 */

/** GET /v1/tables: the lobby. */
export const TableList = Type.Array(TableSummary, { maxItems: 1000 });

/** GET /v1/tables/:tableId/round: the round in play, or null between rounds. */
export const CurrentRound = Type.Object({ round: Type.Union([RoundDto, Type.Null()]) });
export type CurrentRound = Static<typeof CurrentRound>;

/** GET /v1/bets: the player's bets, newest first. */
export const BetList = Type.Array(BetDto, { maxItems: 200 });

/** One of the player's bets in their history: with what it returned once settled. */
export const BetHistoryEntry = Type.Composite([
  BetDto,
  Type.Object({
    /** What the bet returned (stake and winnings; 0 lost); null until settled. */
    payout: Type.Union([Type.Integer(), Type.Null()]),
    placedAtMs: Type.Integer(),
    settledAtMs: Type.Union([Type.Integer(), Type.Null()]),
  }),
]);
export type BetHistoryEntry = Static<typeof BetHistoryEntry>;

/** GET /v1/bets/history: a page of the player's bets, newest first; `before` pages on (null: the end). */
export const BetHistoryPage = Type.Object({
  bets: Type.Array(BetHistoryEntry, { maxItems: 100 }),
  before: Type.Union([Type.String(), Type.Null()]),
});
export type BetHistoryPage = Static<typeof BetHistoryPage>;

/** GET /v1/tables/:tableId/results: the table's settled rounds, newest first (roads, hot and cold numbers). */
export const TableResults = Type.Object({
  tableId: Type.String(),
  results: Type.Array(
    Type.Object({
      roundId: Type.String(),
      number: Type.Integer(),
      result: RoundResult,
      /** Studio time of the frame the result happened on (null: not stamped). */
      resultStudioMs: Type.Union([Type.Integer(), Type.Null()]),
    }),
    { maxItems: 500 },
  ),
});
export type TableResults = Static<typeof TableResults>;

/** One of the caller's bets of a round, as GET /v1/rounds/:roundId shows it. */
export const RoundBet = Type.Object({
  betId: Type.String(),
  clientBetId: Type.String(),
  bet: AnsweredBet,
  stake: Type.Integer(),
  currency: Type.String(),
  status: literalUnion(BET_STATUSES),
  /** What the settlement (or void) paid back to the wallet, stake included; null until then. */
  payout: Type.Union([Type.Integer(), Type.Null()]),
  windowBasis: Type.String(),
  placedAt: Type.String({ format: 'date-time' }),
  settledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type RoundBet = Static<typeof RoundBet>;

/** Every bet of a round summed up, for staff: no player is named. */
export const RoundBetTotals = Type.Object({
  bets: Type.Integer(),
  players: Type.Integer(),
  staked: Type.Integer(),
  paidOut: Type.Integer(),
  byStatus: Type.Record(Type.String(), Type.Object({ bets: Type.Integer(), staked: Type.Integer() })),
});
export type RoundBetTotals = Static<typeof RoundBetTotals>;

/** GET /v1/rounds/:roundId: the round; a player's own bets of it, or staff's totals. */
export const RoundDetail = Type.Object({
  round: RoundDto,
  bets: Type.Optional(Type.Array(RoundBet)),
  totals: Type.Optional(RoundBetTotals),
});
export type RoundDetail = Static<typeof RoundDetail>;

/** POST /v1/bets/rebet: the bets placed again, and those refused with why. */
export const RebetAnswer = Type.Object({
  placed: Type.Array(BetDto),
  refused: Type.Array(
    Type.Object({ bet: AnsweredBet, stake: Type.Integer(), code: ErrorCodeSchema, message: Type.String() }),
  ),
});
export type RebetAnswer = Static<typeof RebetAnswer>;

/** An answer with no body (204). */
export const NoContent = Type.Null();

/** GET /v1/rounds/:roundId/readings: a round's vision readings in studio time order. */
export const RoundReadings = Type.Object({ roundId: Type.String(), readings: Type.Array(VisionReading) });
export type RoundReadings = Static<typeof RoundReadings>;

/** GET /v1/alerts: what the pit boss must look at. */
export const AlertList = Type.Array(Alert);
