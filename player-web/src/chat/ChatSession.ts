import { ClientError, type TableWatcher } from '@live-casino/clients';
import {
  CHAT_MAX_LENGTH,
  type ChatHistory,
  type ChatMessage,
  type ChatMute,
  type ChatUnmute,
  type SendChatRequest,
} from '@live-casino/protocol';
import { Emitter } from '../Emitter.js';
import { createStore, type Store } from '../store.js';

/**
 * What the chat needs of table-service's socket: TableRealtime as `tableService.realtime()` hands
 * it out (one connection per page, shared with the betting session).
 */
export interface ChatRealtime {
  readonly connected: boolean;
  readonly socket: {
    on(event: 'connect' | 'disconnect', listener: () => void): unknown;
    off(event: 'connect' | 'disconnect', listener: () => void): unknown;
  };
  sendChat(req: SendChatRequest): Promise<ChatMessage>;
  onChat(fn: (message: ChatMessage) => void): () => void;
  onChatMuted(fn: (mute: ChatMute) => void): () => void;
  onChatUnmuted(fn: (unmute: ChatUnmute) => void): () => void;
  watch(tableId: string, watcher: TableWatcher): Promise<{ stop(): Promise<void> }>;
}

/** What the chat needs of table-service: the history pages and the realtime connection. */
export interface ChatServiceClient {
  chatHistory(tableId: string, opts?: { before?: string | null; limit?: number }): Promise<ChatHistory>;
  realtime(): ChatRealtime;
}

export interface ChatSessionOptions {
  client: ChatServiceClient;
  tableId: string;
  /** The signed-in player: their own messages, and their mutes. */
  playerId: string;
  /** Messages kept while following the newest (default 200); older ones are dropped, and paged back. */
  maxMessages?: number;
  /** The most messages kept while the player reads back with `loadEarlier` (default 1000). */
  maxReadBack?: number;
  /** Messages per history page (default 50; the service's most is 200). */
  pageSize?: number;
  now?: () => number;
  newClientMessageId?: () => string;
}

/** A message of the player's own that is not stored yet: on its way, or refused with why. */
export interface OutgoingChatMessage {
  /** Sent with it: a retry with it is the same message, stored once. */
  readonly clientMessageId: string;
  readonly text: string;
  readonly status: 'pending' | 'failed';
  /** Why it was not sent, for the player (failed only). */
  readonly error: string | null;
  /** Whether sending it again may help (not for a refused text). */
  readonly retryable: boolean;
  readonly createdAtMs: number;
}

export interface ChatMuteState {
  /** The pit boss's reason, when the mute was heard of as it happened. */
  readonly reason: string | null;
  /**
   * Local clock time it lifts at. A mute learnt from a refusal has no known end: the session
   * forgets it after a while and the next message asks the service again.
   */
  readonly untilMs: number;
  readonly endKnown: boolean;
}

export interface ChatState {
  readonly tableId: string;
  /** The first history page: on its way, there, or failed (`loadError` says why; `reload` retries). */
  readonly load: 'loading' | 'ready' | 'failed';
  readonly loadError: string | null;
  /** Stored messages, oldest first, in the order the service stored them; never one twice. */
  readonly messages: readonly ChatMessage[];
  /** The player's messages not stored yet, in the order they were sent (shown after `messages`). */
  readonly outbox: readonly OutgoingChatMessage[];
  /** Whether the service has messages older than the first one here. */
  readonly hasEarlier: boolean;
  /** Whether `loadEarlier` may load them now (not while a page is on its way or the read-back is full). */
  readonly canLoadEarlier: boolean;
  readonly loadingEarlier: boolean;
  readonly connected: boolean;
  readonly mute: ChatMuteState | null;
}

export type ChatSessionEvents = {
  /** A stored message new at the live end (not from a page back); the player's own too. */
  message: [ChatMessage];
  closed: [];
};

export type SendResult = { ok: true; clientMessageId: string } | { ok: false; reason: string };

export const MUTED_TEXT = 'You are muted at this table';

/** A mute learnt from a refusal (its end not told) is asked about again after this long. */
export const MUTE_RECHECK_MS = 60_000;

const WATCH_RETRY_MS = 5_000;

/**
 * A player's chat at one table: the newest history page, then the table's `chat` events in the
 * order the service stored them (one message once, whether it came in a page, live, or as the
 * answer to the player's own), the player's messages shown at once and replaced by the stored ones,
 * their mute, and pages back. After a reconnection the newest page is read again: chat events
 * have no sequence numbers, so what was missed while disconnected is only in the history.
 */
export class ChatSession {
  readonly store: Store<ChatState>;
  readonly observer = new Emitter<ChatSessionEvents>();
  readonly tableId: string;
  readonly playerId: string;
  /** Settles once the first history page was answered (or failed) and the table is watched. */
  readonly loaded: Promise<void>;
  readonly #client: ChatServiceClient;
  readonly #realtime: ChatRealtime;
  readonly #maxMessages: number;
  readonly #maxReadBack: number;
  readonly #pageSize: number;
  readonly #now: () => number;
  readonly #newClientMessageId: () => string;
  readonly #unlisten: (() => void)[] = [];
  /** How many messages are kept now: `maxMessages`, or more while the player reads back. */
  #keep: number;
  #watch: { stop(): Promise<void> } | null = null;
  #watching: Promise<void> | null = null;
  #reloading: Promise<void> | null = null;
  #reloadAgain = false;
  #muteTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts mute changes: a history page read across one must not undo it. */
  #muteVersion = 0;
  #watchRetryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(opts: ChatSessionOptions) {
    this.tableId = opts.tableId;
    this.playerId = opts.playerId;
    this.#client = opts.client;
    this.#realtime = opts.client.realtime();
    this.#maxMessages = Math.max(1, opts.maxMessages ?? 200);
    this.#maxReadBack = Math.max(this.#maxMessages, opts.maxReadBack ?? 1000);
    this.#pageSize = Math.min(200, Math.max(1, opts.pageSize ?? 50));
    this.#now = opts.now ?? (() => Date.now());
    this.#newClientMessageId = opts.newClientMessageId ?? randomClientMessageId;
    this.#keep = this.#maxMessages;
    this.store = createStore<ChatState>({
      tableId: opts.tableId,
      load: 'loading',
      loadError: null,
      messages: [],
      outbox: [],
      hasEarlier: false,
      canLoadEarlier: false,
      loadingEarlier: false,
      connected: this.#realtime.connected,
      mute: null,
    });
    this.loaded = this.#start();
  }

  static create(opts: ChatSessionOptions): ChatSession {
    return new ChatSession(opts);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a message: it shows at once as pending, then as stored, or as failed with why. Refused
   * here without sending: an empty or too long text, and while the player is muted.
   */
  send(text: string): SendResult {
    if (this.#closed) return { ok: false, reason: 'The chat is closed' };
    const trimmed = text.trim();
    if (trimmed === '') return { ok: false, reason: 'Type a message first' };
    if (trimmed.length > CHAT_MAX_LENGTH) {
      return { ok: false, reason: `Too long: at most ${CHAT_MAX_LENGTH} characters` };
    }
    if (this.#activeMute()) return { ok: false, reason: MUTED_TEXT };
    const clientMessageId = this.#newClientMessageId();
    const entry: OutgoingChatMessage = {
      clientMessageId,
      text: trimmed,
      status: 'pending',
      error: null,
      retryable: false,
      createdAtMs: this.#now(),
    };
    this.store.setState({ outbox: [...this.store.getState().outbox, entry] });
    void this.#deliver(entry);
    return { ok: true, clientMessageId };
  }

  /** Sends a failed message again with its client id: stored once however many tries reach the service. */
  retry(clientMessageId: string): boolean {
    if (this.#closed || this.#activeMute()) return false;
    const entry = this.store.getState().outbox.find((m) => m.clientMessageId === clientMessageId);
    if (entry?.status !== 'failed') return false;
    const again: OutgoingChatMessage = { ...entry, status: 'pending', error: null, retryable: false };
    this.#replaceOutgoing(again);
    void this.#deliver(again);
    return true;
  }

  /** Forgets a failed message. */
  dismiss(clientMessageId: string): void {
    const outbox = this.store.getState().outbox;
    if (!outbox.some((m) => m.clientMessageId === clientMessageId && m.status === 'failed')) return;
    this.store.setState({ outbox: outbox.filter((m) => m.clientMessageId !== clientMessageId) });
  }

  /** The page before the oldest message here. */
  async loadEarlier(): Promise<void> {
    const state = this.store.getState();
    const oldest = state.messages[0];
    if (this.#closed || !state.canLoadEarlier || !oldest) return;
    this.#setEarlier({ loadingEarlier: true });
    try {
      const room = this.#maxReadBack - state.messages.length;
      const page = await this.#client.chatHistory(this.tableId, {
        before: oldest.messageId,
        limit: Math.max(1, Math.min(this.#pageSize, room)),
      });
      if (this.#closed) return;
      const messages = this.store.getState().messages;
      // Still the page before what is here (a reload may have replaced the list meanwhile).
      if (messages[0]?.messageId !== oldest.messageId) return;
      this.#keep = Math.min(this.#maxReadBack, Math.max(this.#keep, messages.length + page.messages.length));
      this.#apply(mergeMessages(messages, this.#ours(page.messages)), page.before !== null);
    } catch {
      // The button stays: the player may ask again.
    } finally {
      if (!this.#closed) this.#setEarlier({ loadingEarlier: false });
    }
  }

  /** Back to following the newest: what was read back beyond `maxMessages` is let go. */
  trimToLatest(): void {
    if (this.#closed || this.#keep === this.#maxMessages) return;
    this.#keep = this.#maxMessages;
    const state = this.store.getState();
    this.#apply(state.messages, state.hasEarlier);
  }

  /** Reads the newest page again (after a failed first load, or when the player asks). */
  async reload(): Promise<void> {
    if (this.#closed) return;
    await this.#ensureWatch();
    await this.#reloadLatest();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#muteTimer);
    clearTimeout(this.#watchRetryTimer);
    for (const off of this.#unlisten) off();
    this.#unlisten.length = 0;
    // The betting session may watch the same table: the shared subscription ends with the last watcher.
    const watch = this.#watch;
    this.#watch = null;
    if (watch) void watch.stop();
    this.observer.emit('closed');
    this.observer.removeAllListeners();
  }

  async #start(): Promise<void> {
    const rt = this.#realtime;
    const onConnect = () => {
      this.store.setState({ connected: true });
      // A watch that failed for want of a connection: now it can.
      if (!this.#watch && !this.#watching) void this.reload();
    };
    const onDisconnect = () => this.store.setState({ connected: false });
    rt.socket.on('connect', onConnect);
    rt.socket.on('disconnect', onDisconnect);
    this.#unlisten.push(
      () => rt.socket.off('connect', onConnect),
      () => rt.socket.off('disconnect', onDisconnect),
      rt.onChat((message) => this.#onLive(message)),
      rt.onChatMuted((mute) => this.#onMuted(mute)),
      rt.onChatUnmuted((unmute) => this.#onUnmuted(unmute)),
    );
    // In the table's room before the history is read: nothing stored in between is missed.
    await this.#ensureWatch();
    await this.#reloadLatest();
  }

  /** `chat` events reach the sockets that subscribed to the table: the session holds a watch of its own. */
  #ensureWatch(): Promise<void> {
    if (this.#closed || this.#watch) return Promise.resolve();
    this.#watching ??= this.#realtime
      .watch(this.tableId, {
        onSnapshot: (_snapshot, reason) => {
          // Back in the room after a reconnection: what was said meanwhile is only in the history.
          if (reason !== 'subscribed') void this.#reloadLatest();
        },
      })
      .then(
        (watch) => {
          if (this.#closed) void watch.stop();
          else this.#watch = watch;
        },
        () => {
          // Without a connection: tried again when it is back. Refused on a live connection (a
          // rate limit): tried again shortly. The history is read meanwhile.
          if (this.#closed || !this.#realtime.connected) return;
          clearTimeout(this.#watchRetryTimer);
          this.#watchRetryTimer = setTimeout(() => void this.reload(), WATCH_RETRY_MS);
        },
      )
      .finally(() => {
        this.#watching = null;
      });
    return this.#watching;
  }

  /** The newest page, merged with what is here; one read at a time, and one more if asked meanwhile. */
  #reloadLatest(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    if (this.#reloading) {
      this.#reloadAgain = true;
      return this.#reloading;
    }
    this.#reloading = (async () => {
      do {
        this.#reloadAgain = false;
        await this.#readLatest();
      } while (this.#reloadAgain && !this.#closed);
    })().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  async #readLatest(): Promise<void> {
    const muteVersion = this.#muteVersion;
    let page: ChatHistory;
    try {
      page = await this.#client.chatHistory(this.tableId, { limit: this.#pageSize });
    } catch (err) {
      if (this.#closed) return;
      const state = this.store.getState();
      if (state.load !== 'ready') this.store.setState({ load: 'failed', loadError: failureText(err) });
      return;
    }
    if (this.#closed) return;
    const state = this.store.getState();
    const incoming = this.#ours(page.messages);
    const newest = state.messages.at(-1);
    const oldestOfPage = incoming[0];
    // A full page that starts after everything here: what lies between is unknown, so what is here
    // goes (the list never has a hole in it); pages back fill it again.
    const disjoint =
      page.before !== null &&
      newest !== undefined &&
      oldestOfPage !== undefined &&
      compareMessageIds(newest.messageId, oldestOfPage.messageId) < 0;
    const base = disjoint ? [] : state.messages;
    if (disjoint) this.#keep = this.#maxMessages;
    // Whoever reaches further back (the page, or what is here) says whether there is more before.
    const oldestHere = base[0];
    let hasEarlier: boolean;
    if (!oldestOfPage) hasEarlier = base.length > 0 && state.hasEarlier;
    else if (!oldestHere || compareMessageIds(oldestOfPage.messageId, oldestHere.messageId) <= 0) {
      hasEarlier = page.before !== null;
    } else hasEarlier = state.hasEarlier;
    this.#apply(mergeMessages(base, incoming), hasEarlier);
    this.store.setState({ load: 'ready', loadError: null });
    // The page says whether the player is muted here (a mute set or lifted while this page was away,
    // or before it was opened); a mute event that came while it was on its way is newer and stands.
    if (this.#muteVersion === muteVersion) {
      if (page.ownMute) {
        this.#setMute({ reason: page.ownMute.reason, untilMs: this.#now() + page.ownMute.remainingMs, endKnown: true });
      } else if (this.store.getState().mute) this.#clearMute();
    }
  }

  #onLive(message: ChatMessage): void {
    if (this.#closed || message.tableId !== this.tableId) return;
    const { messages, hasEarlier } = this.store.getState();
    if (messages.some((m) => m.messageId === message.messageId)) return;
    // Older than the oldest here while older ones exist: it belongs to a page back, not here.
    const oldest = messages[0];
    if (hasEarlier && oldest && compareMessageIds(message.messageId, oldest.messageId) < 0) return;
    this.#apply(mergeMessages(messages, [message]), this.store.getState().hasEarlier);
    if (this.store.getState().messages.some((m) => m.messageId === message.messageId)) {
      this.observer.emit('message', message);
    }
  }

  async #deliver(entry: OutgoingChatMessage): Promise<void> {
    try {
      const stored = await this.#realtime.sendChat({
        tableId: this.tableId,
        clientMessageId: entry.clientMessageId,
        text: entry.text,
      });
      if (this.#closed) return;
      // The room's event may have come first; either way the stored one takes the pending one's place.
      this.#onLive(stored);
      this.#dropOutgoing(entry.clientMessageId);
    } catch (err) {
      if (this.#closed) return;
      const failure = sendFailure(err);
      if (failure.muted) this.#mutedByRefusal(err instanceof ClientError ? err.retryAfterS : undefined);
      const current = this.store.getState().outbox.find((m) => m.clientMessageId === entry.clientMessageId);
      // Stored meanwhile (a reload found it): nothing failed.
      if (!current) return;
      this.#replaceOutgoing({ ...current, status: 'failed', error: failure.text, retryable: failure.retryable });
    }
  }

  #onMuted(mute: ChatMute): void {
    if (this.#closed || mute.tableId !== this.tableId || mute.playerId !== this.playerId) return;
    // Counted from when it was set, not against the service's clock: the two clocks may differ.
    const remainingMs = mute.mutedUntilMs - mute.createdAtMs;
    if (remainingMs <= 0) return;
    this.#setMute({ reason: mute.reason, untilMs: this.#now() + remainingMs, endKnown: true });
  }

  #onUnmuted(unmute: ChatUnmute): void {
    if (this.#closed || unmute.tableId !== this.tableId || unmute.playerId !== this.playerId) return;
    this.#clearMute();
  }

  #clearMute(): void {
    this.#muteVersion++;
    clearTimeout(this.#muteTimer);
    this.store.setState({ mute: null });
  }

  /**
   * The service refused a message because of a mute the session had not heard of (or that it
   * forgot); the refusal says how long it has left (`retryAfterS`), else the session asks again later.
   */
  #mutedByRefusal(retryAfterS: number | undefined): void {
    const known = this.#activeMute();
    if (known?.endKnown) return;
    const reason = known?.reason ?? null;
    if (retryAfterS !== undefined && retryAfterS > 0) {
      this.#setMute({ reason, untilMs: this.#now() + retryAfterS * 1000, endKnown: true });
    } else {
      this.#setMute({ reason, untilMs: this.#now() + MUTE_RECHECK_MS, endKnown: false });
    }
  }

  #setMute(mute: ChatMuteState): void {
    this.#muteVersion++;
    clearTimeout(this.#muteTimer);
    this.store.setState({ mute });
    this.#muteTimer = setTimeout(
      () => {
        if (!this.#closed) this.store.setState({ mute: null });
      },
      Math.max(0, mute.untilMs - this.#now()),
    );
  }

  #activeMute(): ChatMuteState | null {
    const mute = this.store.getState().mute;
    return mute && mute.untilMs > this.#now() ? mute : null;
  }

  /** Sets the stored messages: trimmed to what is kept, the player's stored ones out of the outbox. */
  #apply(merged: readonly ChatMessage[], hasEarlier: boolean): void {
    let messages = merged;
    if (messages.length > this.#keep) {
      messages = messages.slice(messages.length - this.#keep);
      hasEarlier = true;
    }
    const state = this.store.getState();
    const storedOwn = new Set(messages.filter((m) => m.author.id === this.playerId).map((m) => m.clientMessageId));
    const outbox = state.outbox.some((m) => storedOwn.has(m.clientMessageId))
      ? state.outbox.filter((m) => !storedOwn.has(m.clientMessageId))
      : state.outbox;
    this.store.setState({
      messages,
      outbox,
      hasEarlier,
      canLoadEarlier: hasEarlier && !state.loadingEarlier && messages.length < this.#maxReadBack,
    });
  }

  #setEarlier(patch: { loadingEarlier: boolean }): void {
    const state = this.store.getState();
    this.store.setState({
      ...patch,
      canLoadEarlier: state.hasEarlier && !patch.loadingEarlier && state.messages.length < this.#maxReadBack,
    });
  }

  #ours(messages: readonly ChatMessage[]): ChatMessage[] {
    return messages.filter((m) => m.tableId === this.tableId);
  }

  #replaceOutgoing(entry: OutgoingChatMessage): void {
    const outbox = this.store.getState().outbox;
    this.store.setState({
      outbox: outbox.map((m) => (m.clientMessageId === entry.clientMessageId ? entry : m)),
    });
  }

  #dropOutgoing(clientMessageId: string): void {
    const outbox = this.store.getState().outbox;
    if (!outbox.some((m) => m.clientMessageId === clientMessageId)) return;
    this.store.setState({ outbox: outbox.filter((m) => m.clientMessageId !== clientMessageId) });
  }
}

/** Orders two message ids as the service stored them (decimal strings of up to 19 digits). */
export function compareMessageIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The union of two lists of stored messages, in the service's order, one message once. */
export function mergeMessages(current: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return [...current];
  const last = current.at(-1);
  const first = incoming[0];
  // The usual case, a live message after the newest: no sort.
  if (incoming.length === 1 && first && (!last || compareMessageIds(last.messageId, first.messageId) < 0)) {
    return [...current, first];
  }
  const byId = new Map<string, ChatMessage>();
  for (const m of current) byId.set(m.messageId, m);
  for (const m of incoming) if (!byId.has(m.messageId)) byId.set(m.messageId, m);
  return [...byId.values()].sort((a, b) => compareMessageIds(a.messageId, b.messageId));
}

export interface SendFailure {
  /** What the player reads under the message. */
  text: string;
  /** Sending it again may go through (a lost connection, a rate limit, a mute that ends). */
  retryable: boolean;
  /** The service refused it because the player is muted at the table. */
  muted: boolean;
}

/** Why a message was not sent, for the player, from `sendChat`'s failure. */
export function sendFailure(err: unknown): SendFailure {
  if (!(err instanceof ClientError)) {
    return { text: `Not sent: ${err instanceof Error ? err.message : String(err)}`, retryable: true, muted: false };
  }
  switch (err.code) {
    case 'CHAT_MUTED':
      return { text: MUTED_TEXT, retryable: true, muted: true };
    case 'CHAT_MESSAGE_REFUSED':
      return { text: capitalised(serviceMessage(err)), retryable: false, muted: false };
    case 'RATE_LIMITED':
      return {
        text: `Slow down: try again in ${Math.max(1, err.retryAfterS ?? 1)} s`,
        retryable: true,
        muted: false,
      };
    case 'TIMEOUT':
    case 'NETWORK_UNREACHABLE':
      return { text: 'Not sent: no connection to the table', retryable: true, muted: false };
    case 'AUTH_TOKEN_EXPIRED':
    case 'AUTH_TOKEN_INVALID':
    case 'AUTH_TOKEN_MISSING':
      return { text: 'Your session has expired: sign in again', retryable: false, muted: false };
    default:
      return { text: `Not sent: ${serviceMessage(err)}`, retryable: true, muted: false };
  }
}

function failureText(err: unknown): string {
  if (err instanceof ClientError) {
    switch (err.code) {
      case 'TIMEOUT':
      case 'NETWORK_UNREACHABLE':
        return 'The chat cannot reach the table: check your connection';
      case 'AUTH_TOKEN_EXPIRED':
      case 'AUTH_TOKEN_INVALID':
      case 'AUTH_TOKEN_MISSING':
      case 'NOT_SIGNED_IN':
        return 'Sign in to read the chat';
      default:
        return `The chat is not available: ${serviceMessage(err)}`;
    }
  }
  return `The chat is not available: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * The service's own words: ClientError.fromBody prefixes the request and the code
 * (`sendChat: CHAT_MESSAGE_REFUSED: not sent: links ...`) and keeps no separate copy.
 */
function serviceMessage(err: ClientError): string {
  const prefix = `${err.code}: `;
  const at = err.message.indexOf(prefix);
  return at >= 0 ? err.message.slice(at + prefix.length) : err.message;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Random, in the protocol's client id alphabet; crypto.getRandomValues works outside secure contexts too. */
function randomClientMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `chat-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
