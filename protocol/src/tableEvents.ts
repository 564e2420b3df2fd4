import { type Static, Type } from '@sinclair/typebox';
import type { ErrorBody } from './errors.js';
import { TableId } from './sfuSignalling.js';
import type { Alert } from './vision.js';

/**
 * table-service realtime contract (socket.io). Clients authenticate with their session token in
 * the handshake (`auth: { token }`); every request is checked against its schema and answered
 * through its acknowledgement. Round events carry the table's round-log sequence number: a client
 * that sees a gap asks for a snapshot (the `subscribe` answer, or GET /v1/tables/:id/snapshot).
 */
const StudioMs = Type.Integer({ minimum: 1_000_000_000_000, maximum: 9_999_999_999_999 });

export const TableRequests = {
  subscribe: Type.Object({ tableId: TableId }, { additionalProperties: false }),
  unsubscribe: Type.Object({ tableId: TableId }, { additionalProperties: false }),
  placeBet: Type.Object(
    {
      clientBetId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
      roundId: Type.String({ minLength: 3, maxLength: 64, pattern: '^r_[0-9a-f-]{36}$' }),
      bet: Type.Object({}, { additionalProperties: true, maxProperties: 4 }),
      stake: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
      frameStudioMs: Type.Optional(StudioMs),
    },
    { additionalProperties: false },
  ),
  cancelBet: Type.Object(
    { clientBetId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }) },
    { additionalProperties: false },
  ),
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
} as const;

export type TableRequestName = keyof typeof TableRequests;
export type TableRequest<N extends TableRequestName> = Static<(typeof TableRequests)[N]>;

export interface RoundEventPayload {
  tableId: string;
  /** Round-log sequence number of the table: consecutive, so gaps show. */
  seq: number;
  event: string;
  round: Record<string, unknown>;
}

export interface TableSnapshot {
  tableId: string;
  seq: number;
  round: Record<string, unknown> | null;
}

export type TableAck<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export interface TableResponses {
  subscribe: TableSnapshot;
  unsubscribe: Record<string, never>;
  placeBet: Record<string, unknown>;
  cancelBet: Record<string, unknown>;
  reportDelay: DelayAnswer;
  subscribeAlerts: { alerts: Alert[] };
}

export type TableClientToServer = {
  [N in TableRequestName]: (req: TableRequest<N>, ack: (res: TableAck<TableResponses[N]>) => void) => void;
};

/** A player's betting window as the server measured it (answer to `reportDelay`). */
export interface DelayAnswer {
  /** Their delay as the sfu measured it for their own stream session; null: not measured. */
  measuredDelayMs: number | null;
  /**
   * How long after the close their bets on earlier frames may still arrive; null: none (the server
   * clock decides). A client whose own delay is longer ends its countdown that much earlier in the
   * video (and says why), so that an honest click never lands in a refusal.
   */
  allowanceMs: number | null;
  /** The most late time anyone gets at this table, whatever their delay (null: no table given). */
  revealCapMs: number | null;
}

/** A bet the close or the reveal found late: refunded to the player, who is told at once. */
export interface BetRefusedEvent {
  betId: string;
  clientBetId: string;
  roundId: string;
  tableId: string;
  stake: number;
  currency: string;
  code: 'TABLE_BETTING_CLOSED';
  /** Which rule of the window refused it (BettingWindow.ts): FRAME_AT_OR_AFTER_CLOSE, ... */
  reason: string;
  message: string;
}

export interface TableServerToClient {
  /** To the player: a bet taken while the close (or the reveal) was on its way, refunded as late. */
  betRefused: (ev: BetRefusedEvent) => void;
  round: (ev: RoundEventPayload) => void;
  /**
   * The player's balance after a bet, a cancel, a refund or a settlement (minor units), to every
   * socket of the player; after a bet, to all but the socket that placed it, whose `placeBet` ack
   * carries `balance`.
   */
  balance: (ev: { amount: number; currency: string }) => void;
  /** To pit bosses who sent `subscribeAlerts`: an alert raised, or resolved (`resolvedAtMs` set). */
  alert: (ev: Alert) => void;
}
