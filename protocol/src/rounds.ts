import { type Static, Type } from '@sinclair/typebox';
import { literalUnion } from './literals.js';
import { BaccaratBet } from './games/baccaratBets.js';
import { RouletteBet, rouletteBetKey } from './games/rouletteBets.js';
import { CardSchema, GameKind } from './primitives.js';
import { TableId } from './sfuSignalling.js';
import { RoundHold, VisionReading } from './vision.js';

/**
 * Rounds and bets on the wire: what table-service answers over HTTP and pushes over socket.io, one
 * schema each, so that the server's response schemas, the OpenAPI document and every client read
 * the same definitions.
 */

export { CardSchema, ClientBetId, RoundId, StudioMs } from './primitives.js';

/**
 * A round's life: IDLE → BETTING_OPEN → BETTING_CLOSED → RESULT_PENDING → RESULT_CONFIRMED → SETTLED,
 * with VOIDED reachable from any state before SETTLED.
 */
export const ROUND_STATES = [
  'IDLE',
  'BETTING_OPEN',
  'BETTING_CLOSED',
  'RESULT_PENDING',
  'RESULT_CONFIRMED',
  'SETTLED',
  'VOIDED',
] as const;
export type RoundState = (typeof ROUND_STATES)[number];
export const RoundState = literalUnion(ROUND_STATES);

/** A roulette result: the pocket the ball came to rest in. */
export const RouletteResult = Type.Object(
  { pocket: Type.Integer({ minimum: 0, maximum: 36 }) },
  { additionalProperties: false },
);
export type RouletteResult = Static<typeof RouletteResult>;
/** A baccarat result: the coup's cards in dealing order (P1, B1, P2, B2, then the third cards). */
export const BaccaratResult = Type.Object(
  { cards: Type.Array(CardSchema, { minItems: 4, maxItems: 6 }) },
  { additionalProperties: false },
);
export type BaccaratResult = Static<typeof BaccaratResult>;
export const RoundResult = Type.Union([RouletteResult, BaccaratResult]);
export type RoundResult = Static<typeof RoundResult>;

/** A round as APIs, dashboards and players see it. */
export const RoundDto = Type.Object({
  roundId: Type.String(),
  tableId: Type.String(),
  number: Type.Integer(),
  game: GameKind,
  currency: Type.String(),
  state: RoundState,
  opensAtStudioMs: Type.Number(),
  closesAtStudioMs: Type.Union([Type.Number(), Type.Null()]),
  /** Studio time of the first event that shows anything of the outcome. */
  revealsAtStudioMs: Type.Union([Type.Number(), Type.Null()]),
  lastAcceptanceMs: Type.Union([Type.Number(), Type.Null()]),
  result: Type.Union([RoundResult, Type.Null()]),
  resultSource: Type.Union([Type.String(), Type.Null()]),
  /** Studio time of the frame where the result happened, when the dealer gave it. */
  resultStudioMs: Type.Union([Type.Number(), Type.Null()]),
  /** Who confirmed: a dealer or pit boss id, or 'vision'. */
  confirmedBy: Type.Union([Type.String(), Type.Null()]),
  confirmedReadingId: Type.Union([Type.String(), Type.Null()]),
  voidReason: Type.Union([Type.String(), Type.Null()]),
  visionCheck: Type.Boolean(),
  /** The hold of a vision-checked round: held while the state is RESULT_PENDING. */
  hold: Type.Union([RoundHold, Type.Null()]),
});
export type RoundDto = Static<typeof RoundDto>;

/**
 * What a round event says happened: a transition into a state, the reveal (the first frame that
 * shows anything of the outcome: betting is over for everyone), or a result held for the pit boss.
 */
export const ROUND_EVENTS = [
  'BETTING_OPEN',
  'BETTING_CLOSED',
  'REVEALED',
  'RESULT_PENDING',
  'RESULT_HELD',
  'RESULT_CONFIRMED',
  'SETTLED',
  'VOIDED',
] as const;
export type RoundEventName = (typeof ROUND_EVENTS)[number];

const RoundEventOf = <E extends RoundEventName>(event: E) =>
  Type.Object({
    tableId: TableId,
    /** Round-log sequence number of the table: consecutive, so gaps show. */
    seq: Type.Integer({ minimum: 1 }),
    event: Type.Literal(event),
    round: RoundDto,
  });
/** Pushed (`round`) after commit to the table's subscribers; a union discriminated by `event`. */
export const RoundEventPayload = Type.Union([
  RoundEventOf('BETTING_OPEN'),
  RoundEventOf('BETTING_CLOSED'),
  RoundEventOf('REVEALED'),
  RoundEventOf('RESULT_PENDING'),
  RoundEventOf('RESULT_HELD'),
  RoundEventOf('RESULT_CONFIRMED'),
  RoundEventOf('SETTLED'),
  RoundEventOf('VOIDED'),
]);
export type RoundEventPayload = Static<typeof RoundEventPayload>;

/** The table's current round and the round-log sequence number it is current as of. */
export const TableSnapshot = Type.Object({
  tableId: Type.String(),
  seq: Type.Integer({ minimum: 0 }),
  round: Type.Union([RoundDto, Type.Null()]),
});
export type TableSnapshot = Static<typeof TableSnapshot>;

export const BET_STATUSES = ['placed', 'cancelled', 'won', 'lost', 'push', 'refunded'] as const;
export type BetStatus = (typeof BET_STATUSES)[number];

/** A bet of either game, as the wire carries it. */
export const GameBetSchema = Type.Union([RouletteBet, BaccaratBet]);
export type GameBet = Static<typeof GameBetSchema>;

/** Identifies a bet whatever the order of its numbers or properties (a spot of the layout). */
export function gameBetKey(bet: GameBet): string {
  if ('numbers' in bet || 'dozen' in bet || 'column' in bet) return rouletteBetKey(bet);
  return bet.type;
}

/**
 * A bet in an answer: always one of the table's game, canonical (the server checked it). Typed as
 * GameBet; serialised without a per-variant check (a union of 15 shapes would cost every bet list).
 */
export const AnsweredBet = Type.Unsafe<GameBet>(Type.Unknown());

/** A bet as its player sees it (the answer to placing or cancelling it). */
export const BetDto = Type.Object({
  betId: Type.String(),
  clientBetId: Type.String(),
  roundId: Type.String(),
  tableId: Type.String(),
  bet: AnsweredBet,
  stake: Type.Integer(),
  currency: Type.String(),
  status: literalUnion(BET_STATUSES),
  /** Which clock judged it: the video frame the player saw, or the server's clock. */
  windowBasis: Type.Union([Type.Literal('video'), Type.Literal('server-clock')]),
  /** Wallet balance right after this bet (absent on a replay). */
  balance: Type.Optional(Type.Integer()),
});
export type BetDto = Static<typeof BetDto>;

/** The answer to a vision reading: the reading as stored and the round it was attributed to. */
export const VisionReadingAnswer = Type.Object({ reading: VisionReading, round: Type.Union([RoundDto, Type.Null()]) });
export type VisionReadingAnswer = Static<typeof VisionReadingAnswer>;
