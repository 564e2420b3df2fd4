import {
  AppError,
  type ChatHistory,
  type ChatMessage,
  type ChatMute,
  type ChatMuteBody,
  type ChatRole,
  type ChatUnmute,
  type SendChatRequest,
} from '@live-casino/protocol';
import type { Session } from '../auth/SessionTokens.js';
import type { Database } from '../db/Database.js';
import type { ChatModeration } from './ChatModeration.js';

export interface ChatOptions {
  db: Database;
  tableIds: ReadonlySet<string>;
  moderation: ChatModeration;
  /** Messages a minute per sender after `burst` (0: chat is off). */
  messagesPerMin: number;
  burst: number;
  now?: () => number;
}

interface MessageRow {
  id: string;
  table_id: string;
  author_id: string;
  author_role: ChatRole;
  display_name: string;
  client_message_id: string;
  text: string;
  created_at: Date;
}

interface MuteRow {
  table_id: string;
  player_id: string;
  muted_until: Date;
  reason: string;
  muted_by: string;
  created_at: Date;
}

const REFUSALS = {
  blocked_word: 'not sent: it contains a word this table does not allow',
  link: 'not sent: links are not allowed in the chat',
  empty: 'not sent: the message is empty',
} as const;

/**
 * The tables' chat: who may speak where, the moderation, the sender's rate, and the store. The
 * socket handler sends what `send` returns to the table's room; the sender has it in the answer.
 */
export class Chat {
  readonly #opts: ChatOptions;
  readonly #now: () => number;
  /** Per sender on this node: tokens and when they were counted. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(opts: ChatOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  async send(session: Session, req: SendChatRequest): Promise<{ message: ChatMessage; replayed: boolean }> {
    const role = chatRole(session);
    this.#checkTable(req.tableId);
    if (role === 'dealer' && session.tableId !== req.tableId) {
      throw new AppError('AUTH_WRONG_TABLE', `dealer ${session.userId} runs ${session.tableId ?? 'no table'}`);
    }
    // A retry of a stored message is answered with it, whatever the rate or a mute since.
    const stored = await this.#byClientId(session.userId, req.clientMessageId);
    if (stored) {
      const again = this.#opts.moderation.check(req.text);
      if (stored.tableId !== req.tableId || !again.ok || again.text !== stored.text) {
        throw new AppError('BAD_REQUEST', `clientMessageId ${req.clientMessageId} was used for another message`);
      }
      return { message: stored, replayed: true };
    }
    this.#takeToken(session.userId);
    const verdict = this.#opts.moderation.check(req.text);
    if (!verdict.ok) throw new AppError('CHAT_MESSAGE_REFUSED', REFUSALS[verdict.reason]);
    if (role === 'player') {
      const mute = await this.activeMute(req.tableId, session.userId);
      if (mute) {
        throw new AppError(
          'CHAT_MUTED',
          `muted at this table until ${new Date(mute.mutedUntilMs).toISOString()}: ${mute.reason}`,
          { retryAfterS: Math.max(1, Math.ceil((mute.mutedUntilMs - this.#now()) / 1000)) },
        );
      }
    }
    const { rows } = await this.#opts.db.query<MessageRow>(
      `INSERT INTO chat_messages (table_id, author_id, author_role, display_name, client_message_id, text)
       VALUES ($1, $2, $3, COALESCE((SELECT display_name FROM players WHERE id = $2 AND $3 = 'player'), $2), $4, $5)
       ON CONFLICT ON CONSTRAINT chat_messages_client_id_once DO NOTHING
       RETURNING *`,
      [req.tableId, session.userId, role, req.clientMessageId, verdict.text],
    );
    const row = rows[0];
    if (row) return { message: toMessage(row), replayed: false };
    // The same message from a second socket at the same moment: the first one stored it.
    const raced = await this.#byClientId(session.userId, req.clientMessageId);
    if (!raced) throw new Error('chat message neither stored nor found');
    return { message: raced, replayed: true };
  }

  /**
   * A page of the table's chat, oldest first, ending before `before` (a messageId) or at the newest;
   * with the reader's own active mute when `readerId` (a player) has one.
   */
  async history(tableId: string, opts: { before?: string; limit: number; readerId?: string }): Promise<ChatHistory> {
    this.#checkTable(tableId);
    const { rows } = await this.#opts.db.query<MessageRow>(
      `SELECT * FROM chat_messages
        WHERE table_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [tableId, opts.before ?? null, opts.limit],
    );
    const messages = rows.reverse().map(toMessage);
    const page: ChatHistory = {
      tableId,
      messages,
      before: rows.length === opts.limit ? (messages[0]?.messageId ?? null) : null,
    };
    const mute = opts.readerId === undefined ? null : await this.activeMute(tableId, opts.readerId);
    const remainingMs = mute ? mute.mutedUntilMs - this.#now() : 0;
    if (mute && remainingMs > 0) page.ownMute = { reason: mute.reason, mutedUntilMs: mute.mutedUntilMs, remainingMs };
    return page;
  }

  async mute(tableId: string, body: ChatMuteBody, by: string): Promise<ChatMute> {
    this.#checkTable(tableId);
    const { rows: players } = await this.#opts.db.query('SELECT 1 FROM players WHERE id = $1', [body.playerId]);
    if (players.length === 0) throw new AppError('BAD_REQUEST', `no player ${body.playerId}`);
    const until = new Date(this.#now() + body.minutes * 60_000);
    const { rows } = await this.#opts.db.query<MuteRow>(
      `WITH lifted AS (
         UPDATE chat_mutes SET lifted_by = $5, lifted_at = now()
          WHERE table_id = $1 AND player_id = $2 AND lifted_at IS NULL
       )
       INSERT INTO chat_mutes (table_id, player_id, muted_until, reason, muted_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [tableId, body.playerId, until, body.reason, by],
    );
    return toMute(rows[0] as MuteRow);
  }

  /** Lifts a player's mute at a table; null when there was none (any more). */
  async unmute(tableId: string, playerId: string, by: string): Promise<ChatUnmute | null> {
    this.#checkTable(tableId);
    const { rows } = await this.#opts.db.query<{ lifted_at: Date }>(
      `UPDATE chat_mutes SET lifted_by = $3, lifted_at = now()
        WHERE table_id = $1 AND player_id = $2 AND lifted_at IS NULL AND muted_until > $4
        RETURNING lifted_at`,
      [tableId, playerId, by, new Date(this.#now())],
    );
    const liftedAt = rows[0]?.lifted_at;
    return liftedAt ? { tableId, playerId, liftedBy: by, liftedAtMs: liftedAt.getTime() } : null;
  }

  async activeMute(tableId: string, playerId: string): Promise<ChatMute | null> {
    const { rows } = await this.#opts.db.query<MuteRow>(
      `SELECT * FROM chat_mutes
        WHERE table_id = $1 AND player_id = $2 AND lifted_at IS NULL AND muted_until > $3
        ORDER BY id DESC LIMIT 1`,
      [tableId, playerId, new Date(this.#now())],
    );
    return rows[0] ? toMute(rows[0]) : null;
  }

  async mutes(tableId: string): Promise<ChatMute[]> {
    this.#checkTable(tableId);
    const { rows } = await this.#opts.db.query<MuteRow>(
      `SELECT * FROM chat_mutes WHERE table_id = $1 AND lifted_at IS NULL AND muted_until > $2
        ORDER BY id DESC LIMIT 1000`,
      [tableId, new Date(this.#now())],
    );
    return rows.map(toMute);
  }

  #checkTable(tableId: string): void {
    if (!this.#opts.tableIds.has(tableId)) throw new AppError('TABLE_NOT_FOUND', `no table ${tableId}`);
  }

  async #byClientId(authorId: string, clientMessageId: string): Promise<ChatMessage | null> {
    const { rows } = await this.#opts.db.query<MessageRow>(
      'SELECT * FROM chat_messages WHERE author_id = $1 AND client_message_id = $2',
      [authorId, clientMessageId],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** The sender's token bucket: `burst` at once, then `messagesPerMin`. */
  #takeToken(authorId: string): void {
    const { messagesPerMin, burst } = this.#opts;
    if (messagesPerMin <= 0) throw new AppError('CHAT_MESSAGE_REFUSED', 'chat is off on this platform');
    const now = this.#now();
    const b = this.#buckets.get(authorId) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) * messagesPerMin) / 60_000);
    b.at = now;
    if (b.tokens < 1) {
      const waitS = Math.ceil(((1 - b.tokens) * 60) / messagesPerMin);
      this.#buckets.set(authorId, b);
      throw new AppError('RATE_LIMITED', `too many messages: wait ${waitS} s`, { retryAfterS: waitS });
    }
    b.tokens -= 1;
    this.#buckets.set(authorId, b);
    // Forget full buckets now and then, so that the map holds the recent senders only.
    if (this.#buckets.size > 10_000) {
      for (const [id, bucket] of this.#buckets) {
        if (bucket.tokens + ((now - bucket.at) * messagesPerMin) / 60_000 >= burst) this.#buckets.delete(id);
      }
    }
  }
}

function chatRole(session: Session): ChatRole {
  if (session.role === 'service') throw new AppError('AUTH_FORBIDDEN_ROLE', 'services do not chat');
  return session.role;
}

function toMessage(row: MessageRow): ChatMessage {
  return {
    messageId: String(row.id),
    tableId: row.table_id,
    clientMessageId: row.client_message_id,
    author: { id: row.author_id, role: row.author_role, displayName: row.display_name },
    text: row.text,
    sentAtMs: row.created_at.getTime(),
  };
}

function toMute(row: MuteRow): ChatMute {
  return {
    tableId: row.table_id,
    playerId: row.player_id,
    mutedUntilMs: row.muted_until.getTime(),
    reason: row.reason,
    mutedBy: row.muted_by,
    createdAtMs: row.created_at.getTime(),
  };
}
