import { type Static, Type } from '@sinclair/typebox';
import { literalUnion } from './literals.js';
import { ClientBetId } from './primitives.js';
import { TableId } from './sfuSignalling.js';

/**
 * Table chat: players, the table's dealer and pit bosses talk in a room per table. Messages are
 * stored; the server moderates them (a word list, no links, a pit boss's mute) and limits their
 * rate and length. Sent over the socket (`sendChat`, answered with the stored message), pushed to
 * the table's room as `chat`, paged from `GET /v1/tables/:tableId/chat`.
 */

export const CHAT_MAX_LENGTH = 200;

/** Who may speak: a player at any table, a dealer at their own, a pit boss anywhere. */
export const ChatRole = literalUnion(['player', 'dealer', 'pitboss'] as const);
export type ChatRole = Static<typeof ChatRole>;

export const ChatMessage = Type.Object({
  /** Increasing with the order the server stored the messages in (a decimal string). */
  messageId: Type.String({ pattern: '^[0-9]{1,19}$' }),
  tableId: TableId,
  /** The sender's own id for it: a retry with the same id is the same message, sent once. */
  clientMessageId: ClientBetId,
  author: Type.Object({ id: Type.String(), role: ChatRole, displayName: Type.String() }),
  text: Type.String({ minLength: 1, maxLength: CHAT_MAX_LENGTH }),
  sentAtMs: Type.Integer(),
});
export type ChatMessage = Static<typeof ChatMessage>;

export const SendChatRequest = Type.Object(
  {
    tableId: TableId,
    clientMessageId: ClientBetId,
    text: Type.String({ minLength: 1, maxLength: CHAT_MAX_LENGTH }),
  },
  { additionalProperties: false },
);
export type SendChatRequest = Static<typeof SendChatRequest>;

/**
 * A page of a table's chat, oldest first; `before` the next (older) page's cursor, null at the start.
 * A player who reads it while muted at the table finds their mute in `ownMute` (time left counted
 * on the service's clock, so a page opened mid-mute can say until when).
 */
export const ChatHistory = Type.Object({
  tableId: TableId,
  messages: Type.Array(ChatMessage, { maxItems: 200 }),
  before: Type.Union([Type.String(), Type.Null()]),
  ownMute: Type.Optional(
    Type.Object({ reason: Type.String(), mutedUntilMs: Type.Integer(), remainingMs: Type.Integer({ minimum: 1 }) }),
  ),
});
export type ChatHistory = Static<typeof ChatHistory>;

/** A pit boss silences a player at a table for a while, with a reason (kept, with who did it). */
export const ChatMuteBody = Type.Object(
  {
    playerId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
    minutes: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 }),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type ChatMuteBody = Static<typeof ChatMuteBody>;

export const ChatMute = Type.Object({
  tableId: TableId,
  playerId: Type.String(),
  mutedUntilMs: Type.Integer(),
  reason: Type.String(),
  mutedBy: Type.String(),
  createdAtMs: Type.Integer(),
});
export type ChatMute = Static<typeof ChatMute>;

/** A pit boss lifted a player's mute at a table before its end (pushed to the player as `chatUnmuted`). */
export const ChatUnmute = Type.Object({
  tableId: TableId,
  playerId: Type.String(),
  liftedBy: Type.String(),
  liftedAtMs: Type.Integer(),
});
export type ChatUnmute = Static<typeof ChatUnmute>;

export const ChatMuteList = Type.Object({ tableId: TableId, mutes: Type.Array(ChatMute, { maxItems: 1000 }) });
export type ChatMuteList = Static<typeof ChatMuteList>;
