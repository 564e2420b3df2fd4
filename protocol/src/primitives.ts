import { type Static, Type } from '@sinclair/typebox';
import { RANKS, SUITS } from './games/baccarat.js';
import { literalUnion } from './literals.js';

/** Studio time: ms since the Unix epoch, bounded to sane years so nothing overflows downstream. */
export const StudioMs = Type.Integer({ minimum: 1_000_000_000_000, maximum: 9_999_999_999_999 });
export const RoundId = Type.String({ minLength: 3, maxLength: 64, pattern: '^r_[0-9a-f-]{36}$' });
/** The client's own id for a bet: a retry with the same id gets the first answer. */
export const ClientBetId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });

/** A playing card as the wire carries it (results, vision readings). */
export const CardSchema = Type.Object(
  { rank: literalUnion(RANKS), suit: literalUnion(SUITS) },
  { additionalProperties: false },
);

/** The games a table can deal. */
export const GameKind = Type.Union([Type.Literal('roulette'), Type.Literal('baccarat')]);
export type GameKind = Static<typeof GameKind>;
