import { type Static, Type } from '@sinclair/typebox';
import { CARD_POSITIONS } from './games/baccarat.js';
import { CardSchema, StudioMs } from './primitives.js';

/**
 * What the vision worker tells table-service: what it read on a table, on which frame (studio
 * time), and how sure it is. Results use the same shape as a dealer's result, so that the two can
 * be compared directly: roulette `{ pocket }`, baccarat `{ cards }` in dealing order.
 */
export const VisionCard = CardSchema;

export const VisionRouletteResult = Type.Object(
  { pocket: Type.Integer({ minimum: 0, maximum: 36 }) },
  { additionalProperties: false },
);

export const VisionBaccaratResult = Type.Object(
  {
    /** The face-up cards on the layout, in dealing order (P1, B1, P2, B2, then P3 and/or B3). */
    cards: Type.Array(VisionCard, { minItems: 1, maxItems: 6 }),
    /** Where each of `cards` lies, same order: distinct, in dealing order, as many as `cards`. */
    positions: Type.Array(Type.Union(CARD_POSITIONS.map((p) => Type.Literal(p))), { minItems: 1, maxItems: 6 }),
  },
  { additionalProperties: false },
);

/** Studio time: ms since the Unix epoch, bounded to sane years (as every studio time on the wire). */

/** POST /v1/tables/:tableId/readings, by a `service` session (the vision worker). */
export const VisionReadingBody = Type.Object(
  {
    /** Unique per reading (idempotency: a retry with the same id is accepted once). */
    readingId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    /** Studio time (ms) of the frame on which the reading became stable. */
    studioMs: StudioMs,
    /** Lowest per-region confidence of the reading, 0..1. */
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    result: Type.Union([VisionRouletteResult, VisionBaccaratResult]),
  },
  { additionalProperties: false },
);
export type VisionReadingBody = Static<typeof VisionReadingBody>;

/**
 * What the schema cannot say of a reading: baccarat positions distinct, in dealing order and one
 * per card. Undefined when the reading is sound.
 */
export function visionReadingProblem(body: VisionReadingBody): string | undefined {
  const result = body.result;
  if (!('cards' in result)) return undefined;
  if (result.positions.length !== result.cards.length) {
    return `${result.cards.length} cards but ${result.positions.length} positions`;
  }
  let previous = -1;
  for (const position of result.positions) {
    const index = CARD_POSITIONS.indexOf(position);
    if (index === previous) return `position ${position} appears twice`;
    if (index < previous) return `position ${position} is out of dealing order (${CARD_POSITIONS.join(', ')})`;
    previous = index;
  }
  return undefined;
}

/** A reading as table-service stored it, with the round it was attributed to (null: ignored). */
export const VisionReading = Type.Object({
  readingId: Type.String(),
  tableId: Type.String(),
  roundId: Type.Union([Type.String(), Type.Null()]),
  studioMs: Type.Integer(),
  /** Server wall clock when the reading reached table-service. */
  receivedAtMs: Type.Integer(),
  confidence: Type.Number(),
  result: Type.Unknown(),
});
export type VisionReading = Static<typeof VisionReading>;

/**
 * Why a vision-checked round holds for the pit boss: a reading contradicts the dealer's result,
 * the reading is not sure enough to confirm or contradict, or no agreeing reading came in time.
 */
export const HOLD_REASONS = ['disagreement', 'low_confidence', 'no_reading'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** The hold a round had; it is held while its state is RESULT_PENDING. */
export const RoundHold = Type.Object({
  reason: Type.Union([Type.Literal('disagreement'), Type.Literal('low_confidence'), Type.Literal('no_reading')]),
  alertId: Type.String(),
  heldAtMs: Type.Integer(),
});
export type RoundHold = Static<typeof RoundHold>;

/** Something a pit boss must look at (a held round), open until resolved or the round is voided. */
export const Alert = Type.Object({
  alertId: Type.String(),
  tableId: Type.String(),
  roundId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  message: Type.String(),
  details: Type.Unknown(),
  createdAtMs: Type.Integer(),
  resolvedAtMs: Type.Union([Type.Integer(), Type.Null()]),
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
  /** How it ended: `resolved` (the pit boss set the result) or `voided`. */
  resolution: Type.Union([Type.String(), Type.Null()]),
});
export type Alert = Static<typeof Alert>;
