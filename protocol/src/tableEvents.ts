import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ChatMessage, ChatMute, ChatUnmute, SendChatRequest } from './chat.js';
import type { ErrorBody } from './errors.js';
import { BetDto, ClientBetId, type GameBet, RoundEventPayload, RoundId, StudioMs, TableSnapshot } from './rounds.js';
import { TableId } from './sfuSignalling.js';
import { Alert } from './vision.js';

/**
 * table-service realtime contract (socket.io). Clients authenticate with their session token in
 * the handshake (`auth: { token }`); every request is checked against its schema and answered
 * through its acknowledgement. Round events carry the table's round-log sequence number: a client
 * that sees a gap asks for a snapshot (the `subscribe` answer, or GET /v1/tables/:id/snapshot).
 */

export const TableRequests = {
  subscribe: Type.Object({ tableId: TableId }, { additionalProperties: false }),
  unsubscribe: Type.Object({ tableId: TableId }, { additionalProperties: false }),
  placeBet: Type.Object(
    {
      clientBetId: ClientBetId,
      roundId: RoundId,
      /**
       * A bet of the table's game (GameBet). Checked here for size only: the table's game checks the
       * shape and the layout, and answers BET_INVALID with what is wrong.
       */
      bet: Type.Unsafe<GameBet>(Type.Object({}, { additionalProperties: true, maxProperties: 4 })),
      stake: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
      frameStudioMs: Type.Optional(StudioMs),
    },
    { additionalProperties: false },
  ),
  cancelBet: Type.Object({ clientBetId: ClientBetId }, { additionalProperties: false }),
  /**
   * The player's own view of their delay, for dashboards; it decides nothing. The answer is their
   * window as the server measured it for their stream session of `tableId`.
   */
  reportDelay: Type.Object(
    {
      mode: Type.Union([Type.Literal('webrtc'), Type.Literal('hls')]),
      playoutDelayMs: Type.Number({ minimum: 0, maximum: 60_000 }),
      tableId: Type.Optional(TableId),
    },
    { additionalProperties: false },
  ),
  /** Pit bosses only: receive `alert` events (held rounds); answered with the open alerts. */
  subscribeAlerts: Type.Object({}, { additionalProperties: false }),
  /** A chat message to the table's room (players, the table's dealer, pit bosses); answered with it as stored. */
  sendChat: SendChatRequest,
} as const;

export type TableRequestName = keyof typeof TableRequests;
export type TableRequest<N extends TableRequestName> = Static<(typeof TableRequests)[N]>;

export type TableAck<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** A player's betting window as the server measured it (answer to `reportDelay`). */
export const DelayAnswer = Type.Object({
  /** Their delay as the sfu measured it for their own stream session; null: not measured. */
  measuredDelayMs: Type.Union([Type.Number(), Type.Null()]),
  /**
   * How long after the close their bets on earlier frames may still arrive; null: none (the server
   * clock decides). A client whose own delay is longer ends its countdown that much earlier in the
   * video (and says why), so that an honest click never lands in a refusal.
   */
  allowanceMs: Type.Union([Type.Number(), Type.Null()]),
  /** The most late time anyone gets at this table, whatever their delay (null: no table given). */
  revealCapMs: Type.Union([Type.Number(), Type.Null()]),
});
export type DelayAnswer = Static<typeof DelayAnswer>;

/** The answer (`data` of the acknowledgement) to each request, as schemas: clients check them. */
export const TableResponseSchemas = {
  subscribe: TableSnapshot,
  unsubscribe: Type.Object({}),
  placeBet: BetDto,
  cancelBet: BetDto,
  reportDelay: DelayAnswer,
  subscribeAlerts: Type.Object({ alerts: Type.Array(Alert) }),
  sendChat: ChatMessage,
} as const satisfies Record<TableRequestName, TSchema>;

export type TableResponses = { [N in TableRequestName]: Static<(typeof TableResponseSchemas)[N]> };

export type TableClientToServer = {
  [N in TableRequestName]: (req: TableRequest<N>, ack: (res: TableAck<TableResponses[N]>) => void) => void;
};

/** A bet the close or the reveal found late: refunded to the player, who is told at once. */
export const BetRefusedEvent = Type.Object({
  betId: Type.String(),
  clientBetId: Type.String(),
  roundId: Type.String(),
  tableId: Type.String(),
  stake: Type.Integer(),
  currency: Type.String(),
  code: Type.Literal('TABLE_BETTING_CLOSED'),
  /** Which rule of the window refused it (BettingWindow.ts): FRAME_AT_OR_AFTER_CLOSE, ... */
  reason: Type.String(),
  message: Type.String(),
});
export type BetRefusedEvent = Static<typeof BetRefusedEvent>;

/**
 * The player's balance after a bet, a cancel, a refund or a settlement (minor units), to every
 * socket of the player; after a bet, to all but the socket that placed it, whose `placeBet` ack
 * carries `balance`.
 */
export const BalanceEvent = Type.Object({ amount: Type.Integer(), currency: Type.String() });
export type BalanceEvent = Static<typeof BalanceEvent>;

/** What table-service pushes, as schemas: clients check every event before they act on it. */
export const TableEventSchemas = {
  /** To the player: a bet taken while the close (or the reveal) was on its way, refunded as late. */
  betRefused: BetRefusedEvent,
  round: RoundEventPayload,
  balance: BalanceEvent,
  /** To pit bosses who sent `subscribeAlerts`: an alert raised, or resolved (`resolvedAtMs` set). */
  alert: Alert,
  /** To the subscribers of the table: a chat message as stored (the sender's own too). */
  chat: ChatMessage,
  /** To the player: a pit boss muted them at a table. */
  chatMuted: ChatMute,
  /** To the player: a pit boss lifted their mute at a table. */
  chatUnmuted: ChatUnmute,
} as const;

export type TableEventName = keyof typeof TableEventSchemas;

export type TableServerToClient = {
  [E in TableEventName]: (ev: Static<(typeof TableEventSchemas)[E]>) => void;
};
