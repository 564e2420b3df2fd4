/**
 * One table's configuration (the TABLES variable, one array entry): its own module, so that the
 * table rules built from it (rounds/tableRules.ts) and the service configuration that validates it
 * (config.ts) do not import each other.
 */
import { type Static, Type } from '@sinclair/typebox';
import { GameKind, TableId } from '@live-casino/protocol';

const MinorUnits = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const TableConfig = Type.Object(
  {
    tableId: TableId,
    name: Type.String({ minLength: 1, maxLength: 64 }),
    game: GameKind,
    /** Min/max stake per bet type, narrowing or widening the house defaults of the game. */
    limits: Type.Optional(
      Type.Record(
        Type.String({ maxLength: 32 }),
        Type.Object({ min: MinorUnits, max: MinorUnits }, { additionalProperties: false }),
      ),
    ),
    /** Most one player may have on one round, all bets together. */
    maxPlayerStakePerRound: Type.Optional(MinorUnits),
    /** How long betting stays open when the dealer (or simulator) opens it. */
    bettingWindowS: Type.Optional(Type.Integer({ minimum: 3, maximum: 120 })),
    /**
     * Cross-check results with vision: the dealer's result is confirmed by an agreeing reading, and
     * held for the pit boss otherwise. Off by default: the dealer confirms alone.
     */
    visionCheck: Type.Optional(Type.Boolean()),
    /**
     * The betting window's late-bet bounds (see BettingWindow.ts), over the game's defaults: how
     * soon after the close the game shows anything of its outcome, the least delay any viewer can
     * have, and how late a dealer's close may arrive after its frame.
     */
    window: Type.Optional(
      Type.Object(
        {
          revealAfterCloseMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
          minViewerDelayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
          closeMaxLagMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type TableConfig = Static<typeof TableConfig>;
