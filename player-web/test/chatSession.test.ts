import { ClientError, type SnapshotReason, type TableWatcher } from '@live-casino/clients';
import {
  CHAT_MAX_LENGTH,
  type ChatHistory,
  type ChatMessage,
  type ChatMute,
  type ChatUnmute,
  type ChatRole,
  type SendChatRequest,
  type ErrorBody,
} from '@live-casino/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatRealtime,
  type ChatServiceClient,
  ChatSession,
  type ChatSessionOptions,
  compareMessageIds,
  MUTE_RECHECK_MS,
  mergeMessages,
  sendFailure,
} from '../src/chat/ChatSession.js';

const TABLE = 'roulette-1';
const ME = 'p_me';
const T0 = 1_700_000_000_000;

function msg(
  id: number,
  opts: { author?: string; role?: ChatRole; text?: string; tableId?: string; clientMessageId?: string } = {},
): ChatMessage {
  const author = opts.author ?? 'p_other';
  return {
    messageId: String(id),
    tableId: opts.tableId ?? TABLE,
    clientMessageId: opts.clientMessageId ?? `c-${author}-${id}`,
    author: { id: author, role: opts.role ?? 'player', displayName: `Name of ${author}` },
    text: opts.text ?? `message ${id}`,
    sentAtMs: T0 + id * 1_000,
  };
}

interface HeldSend {
  req: SendChatRequest;
  resolve(message: ChatMessage): void;
  reject(err: unknown): void;
}

/**
 * table-service as the chat sees it: a store of messages paged as GET /v1/tables/:id/chat pages
 * them, and a socket whose sends are held until the test answers them and whose events the test
 * pushes.
 */
class FakeService implements ChatServiceClient {
  /** Every stored message of every table, in the order stored. */
  stored: ChatMessage[] = [];
  historyCalls: { before?: string | null; limit?: number }[] = [];
  failHistory: ClientError | null = null;
  /** The reader's own mute, as GET /v1/tables/:id/chat reports it to a muted player. */
  ownMute: ChatHistory['ownMute'];
  /** Called when a history request has been received, before it is answered. */
  onHistory: (() => void) | null = null;
  readonly rt = new FakeRealtime();

  realtime(): ChatRealtime {
    return this.rt;
  }

  async chatHistory(tableId: string, opts: { before?: string | null; limit?: number } = {}): Promise<ChatHistory> {
    this.historyCalls.push(opts);
    const ownMute = this.ownMute;
    this.onHistory?.();
    await Promise.resolve();
    if (this.failHistory) throw this.failHistory;
    const limit = opts.limit ?? 50;
    const rows = this.stored
      .filter((m) => m.tableId === tableId && (!opts.before || compareMessageIds(m.messageId, opts.before) < 0))
      .sort((a, b) => compareMessageIds(b.messageId, a.messageId))
      .slice(0, limit);
    const messages = rows.reverse();
    return {
      tableId,
      messages,
      before: rows.length === limit ? (messages[0]?.messageId ?? null) : null,
      ...(ownMute ? { ownMute } : {}),
    };
  }

  /** Stores messages (ids from `from` on) without telling the socket: what a disconnected player misses. */
  storeQuietly(from: number, count: number): ChatMessage[] {
    const added = Array.from({ length: count }, (_, i) => msg(from + i));
    this.stored.push(...added);
    return added;
  }
}

class FakeRealtime implements ChatRealtime {
  connected = true;
  readonly sent: HeldSend[] = [];
  readonly watchers: TableWatcher[] = [];
  watchCalls = 0;
  stops = 0;
  failWatch: ClientError | null = null;
  readonly #chat = new Set<(m: ChatMessage) => void>();
  readonly #muted = new Set<(m: ChatMute) => void>();
  readonly #unmuted = new Set<(m: ChatUnmute) => void>();
  readonly #socket = new Map<'connect' | 'disconnect', Set<() => void>>([
    ['connect', new Set()],
    ['disconnect', new Set()],
  ]);

  readonly socket = {
    on: (event: 'connect' | 'disconnect', listener: () => void) => this.#socket.get(event)?.add(listener),
    off: (event: 'connect' | 'disconnect', listener: () => void) => this.#socket.get(event)?.delete(listener),
  };

  sendChat(req: SendChatRequest): Promise<ChatMessage> {
    return new Promise((resolve, reject) => this.sent.push({ req, resolve, reject }));
  }

  onChat(fn: (m: ChatMessage) => void): () => void {
    this.#chat.add(fn);
    return () => this.#chat.delete(fn);
  }

  onChatMuted(fn: (m: ChatMute) => void): () => void {
    this.#muted.add(fn);
    return () => this.#muted.delete(fn);
  }

  onChatUnmuted(fn: (m: ChatUnmute) => void): () => void {
    this.#unmuted.add(fn);
    return () => this.#unmuted.delete(fn);
  }

  async watch(tableId: string, watcher: TableWatcher): Promise<{ stop(): Promise<void> }> {
    this.watchCalls++;
    await Promise.resolve();
    if (this.failWatch) throw this.failWatch;
    this.watchers.push(watcher);
    watcher.onSnapshot?.({ tableId, seq: 1, round: null }, 'subscribed');
    return {
      stop: async () => {
        this.stops++;
        this.watchers.splice(this.watchers.indexOf(watcher), 1);
      },
    };
  }

  chat(m: ChatMessage): void {
    for (const fn of this.#chat) fn(m);
  }

  muted(m: ChatMute): void {
    for (const fn of this.#muted) fn(m);
  }

  unmuted(m: ChatUnmute): void {
    for (const fn of this.#unmuted) fn(m);
  }

  disconnect(): void {
    this.connected = false;
    for (const fn of this.#socket.get('disconnect') ?? []) fn();
  }

  /** Back on line: the socket's connect, then TableRealtime's resync of every watched table. */
  reconnect(reason: SnapshotReason = 'reconnected'): void {
    this.connected = true;
    for (const fn of this.#socket.get('connect') ?? []) fn();
    for (const w of [...this.watchers]) w.onSnapshot?.({ tableId: TABLE, seq: 2, round: null }, reason);
  }

  listenerCount(): number {
    let n = this.#chat.size + this.#muted.size;
    for (const set of this.#socket.values()) n += set.size;
    return n;
  }
}

/** Lets held promise chains run (fake history and acks answer in microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const sessions: ChatSession[] = [];
let ids = 0;

async function open(service: FakeService, opts: Partial<ChatSessionOptions> = {}): Promise<ChatSession> {
  const session = ChatSession.create({
    client: service,
    tableId: TABLE,
    playerId: ME,
    newClientMessageId: () => `cm-${++ids}`,
    ...opts,
  });
  sessions.push(session);
  await session.loaded;
  return session;
}

const messageIds = (session: ChatSession): string[] => session.store.getState().messages.map((m) => m.messageId);

/** The stored message the service would answer a send with. */
function storedFor(held: HeldSend, id: number): ChatMessage {
  return msg(id, { author: ME, text: held.req.text, clientMessageId: held.req.clientMessageId });
}

afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
  ids = 0;
  vi.useRealTimers();
});

describe('history and live messages', () => {
  it('loads the newest page, then appends live messages of this table in the order stored', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 60);
    const session = await open(service);
    const state = session.store.getState();
    expect(state.load).toBe('ready');
    expect(messageIds(session)).toEqual(Array.from({ length: 50 }, (_, i) => String(11 + i)));
    expect(state.hasEarlier).toBe(true);
    expect(service.historyCalls).toEqual([{ limit: 50 }]);

    service.rt.chat(msg(61));
    service.rt.chat(msg(62, { tableId: 'baccarat-1' }));
    service.rt.chat(msg(63));
    expect(messageIds(session).slice(-2)).toEqual(['61', '63']);
  });

  it('watches the table before it reads the history, and says when the start of the chat is here', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 3);
    const order: string[] = [];
    const watch = service.rt.watch.bind(service.rt);
    service.rt.watch = (tableId, watcher) => {
      order.push('watch');
      return watch(tableId, watcher);
    };
    const history = service.chatHistory.bind(service);
    service.chatHistory = (tableId, opts) => {
      order.push('history');
      return history(tableId, opts);
    };
    const session = await open(service);
    expect(order).toEqual(['watch', 'history']);
    expect(session.store.getState().hasEarlier).toBe(false);
    expect(session.store.getState().canLoadEarlier).toBe(false);
  });

  it('keeps one copy of a message that came both live and in the page, in the order stored', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 10);
    const session = ChatSession.create({ client: service, tableId: TABLE, playerId: ME });
    sessions.push(session);
    // Stored and pushed while the page was on its way: in both.
    service.stored.push(msg(11), msg(12));
    service.rt.chat(msg(12));
    service.rt.chat(msg(11));
    await session.loaded;
    expect(messageIds(session)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    service.rt.chat(msg(12));
    service.rt.chat(msg(13));
    expect(messageIds(session)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13']);
  });

  it('places a message that arrives late among the others by its id, numerically', async () => {
    const service = new FakeService();
    const session = await open(service);
    service.rt.chat(msg(9));
    service.rt.chat(msg(11));
    service.rt.chat(msg(10));
    service.rt.chat(msg(100));
    expect(messageIds(session)).toEqual(['9', '10', '11', '100']);
  });

  it('tells observers of each new live message once', async () => {
    const service = new FakeService();
    const session = await open(service);
    const heard: string[] = [];
    session.observer.on('message', (m) => heard.push(m.messageId));
    service.rt.chat(msg(1));
    service.rt.chat(msg(1));
    service.rt.chat(msg(2, { tableId: 'other' }));
    expect(heard).toEqual(['1']);
  });

  it('shows why the history failed, and reads it again on reload', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 2);
    service.failHistory = new ClientError('TIMEOUT', 'GET chat: no answer');
    const session = await open(service);
    expect(session.store.getState().load).toBe('failed');
    expect(session.store.getState().loadError).toBe('The chat cannot reach the table: check your connection');
    service.failHistory = null;
    await session.reload();
    expect(session.store.getState()).toMatchObject({ load: 'ready', loadError: null });
    expect(messageIds(session)).toEqual(['1', '2']);
  });
});

describe('sending', () => {
  it('shows the message at once as pending, then the stored one in its place (answer first)', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 2);
    const session = await open(service);
    const result = session.send('  good luck all  ');
    expect(result).toEqual({ ok: true, clientMessageId: 'cm-1' });
    expect(session.store.getState().outbox).toMatchObject([
      { clientMessageId: 'cm-1', text: 'good luck all', status: 'pending', error: null },
    ]);
    const held = service.rt.sent[0]!;
    expect(held.req).toEqual({ tableId: TABLE, clientMessageId: 'cm-1', text: 'good luck all' });

    const stored = storedFor(held, 3);
    held.resolve(stored);
    await settle();
    expect(session.store.getState().outbox).toEqual([]);
    expect(session.store.getState().messages.at(-1)).toEqual(stored);
    // The room's copy of it comes after: still once.
    service.rt.chat(stored);
    expect(messageIds(session)).toEqual(['1', '2', '3']);
  });

  it('takes the room event as the stored message when it comes before the answer', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('hello');
    const held = service.rt.sent[0]!;
    const stored = storedFor(held, 7);
    service.rt.chat(stored);
    expect(session.store.getState().outbox).toEqual([]);
    expect(messageIds(session)).toEqual(['7']);
    held.resolve(stored);
    await settle();
    expect(messageIds(session)).toEqual(['7']);
    expect(session.store.getState().outbox).toEqual([]);
  });

  it('keeps pending messages after the stored ones, and a stored one where the service ordered it', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('first');
    session.send('second');
    service.rt.chat(msg(1));
    const [a, b] = service.rt.sent;
    b!.resolve(storedFor(b!, 3));
    await settle();
    service.rt.chat(msg(4));
    expect(messageIds(session)).toEqual(['1', '3', '4']);
    expect(session.store.getState().outbox.map((m) => m.text)).toEqual(['first']);
    a!.resolve(storedFor(a!, 2));
    await settle();
    expect(messageIds(session)).toEqual(['1', '2', '3', '4']);
    expect(session.store.getState().outbox).toEqual([]);
  });

  it('refuses an empty or too long text without sending it', async () => {
    const service = new FakeService();
    const session = await open(service);
    expect(session.send('   ')).toEqual({ ok: false, reason: 'Type a message first' });
    expect(session.send('x'.repeat(CHAT_MAX_LENGTH + 1))).toEqual({
      ok: false,
      reason: `Too long: at most ${CHAT_MAX_LENGTH} characters`,
    });
    expect(service.rt.sent).toEqual([]);
    expect(session.store.getState().outbox).toEqual([]);
    // The limit itself is fine, and white space around it does not count.
    expect(session.send(` ${'x'.repeat(CHAT_MAX_LENGTH)} `).ok).toBe(true);
    expect(service.rt.sent[0]?.req.text).toHaveLength(CHAT_MAX_LENGTH);
  });

  it('marks a message refused by moderation as failed with the service reason, not to be retried', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('visit example.com');
    service.rt.sent[0]!.reject(
      ClientError.fromBody(
        { code: 'CHAT_MESSAGE_REFUSED', message: 'not sent: links are not allowed in the chat' },
        'sendChat',
      ),
    );
    await settle();
    expect(session.store.getState().outbox).toMatchObject([
      { status: 'failed', error: 'Not sent: links are not allowed in the chat', retryable: false },
    ]);
    expect(session.store.getState().mute).toBeNull();
  });

  it('marks a rate-limited message with the wait, and a retry sends it again with the same client id', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('spam?');
    service.rt.sent[0]!.reject(
      ClientError.fromBody(
        { code: 'RATE_LIMITED', message: 'too many messages: wait 7 s', retryAfterS: 7 },
        'sendChat',
      ),
    );
    await settle();
    expect(session.store.getState().outbox).toMatchObject([
      { status: 'failed', error: 'Slow down: try again in 7 s', retryable: true },
    ]);

    expect(session.retry('cm-1')).toBe(true);
    expect(session.store.getState().outbox).toMatchObject([{ status: 'pending', error: null }]);
    const again = service.rt.sent[1]!;
    expect(again.req).toEqual(service.rt.sent[0]!.req);
    again.resolve(storedFor(again, 5));
    await settle();
    expect(session.store.getState().outbox).toEqual([]);
    expect(messageIds(session)).toEqual(['5']);
    // Only a failed message is sent again.
    expect(session.retry('cm-1')).toBe(false);
  });

  it('turns a lost connection into a retryable failure, and finds the message stored after a reconnection', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('are you there?');
    const held = service.rt.sent[0]!;
    // Stored, but the answer was lost with the connection.
    service.stored.push(storedFor(held, 1));
    service.rt.disconnect();
    held.reject(new ClientError('TIMEOUT', 'sendChat: no acknowledgement within 10000 ms'));
    await settle();
    expect(session.store.getState().outbox).toMatchObject([
      { status: 'failed', error: 'Not sent: no connection to the table', retryable: true },
    ]);
    service.rt.reconnect();
    await settle();
    expect(session.store.getState().outbox).toEqual([]);
    expect(messageIds(session)).toEqual(['1']);
  });

  it('lets a failed message be dismissed', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('one');
    session.send('two');
    service.rt.sent[0]!.reject(new ClientError('TIMEOUT', 'x'));
    await settle();
    session.dismiss('cm-2'); // pending: stays
    session.dismiss('cm-1');
    expect(session.store.getState().outbox.map((m) => m.clientMessageId)).toEqual(['cm-2']);
  });

  it('words every failure for the player', () => {
    const refusal = (code: Parameters<typeof ClientError.fromBody>[0]['code'], message: string, retryAfterS?: number) =>
      sendFailure(ClientError.fromBody({ code, message, ...(retryAfterS ? { retryAfterS } : {}) }, 'sendChat'));
    expect(refusal('CHAT_MUTED', 'muted at this table until 2030-01-01T00:00:00.000Z: spam')).toEqual({
      text: 'You are muted at this table',
      retryable: true,
      muted: true,
    });
    expect(refusal('RATE_LIMITED', 'too many sendChat on this connection: retry in 300 ms')).toMatchObject({
      text: 'Slow down: try again in 1 s',
    });
    expect(refusal('AUTH_TOKEN_EXPIRED', 'expired')).toMatchObject({
      text: 'Your session has expired: sign in again',
      retryable: false,
    });
    expect(refusal('BAD_REQUEST', 'clientMessageId x was used for another message').text).toBe(
      'Not sent: clientMessageId x was used for another message',
    );
    expect(sendFailure(new Error('boom')).text).toBe('Not sent: boom');
  });
});

describe('mutes', () => {
  /** A session on fake timers, its clock at T0. */
  async function openAtT0() {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const service = new FakeService();
    return { service, session: await open(service) };
  }

  /** The player says hi and the service refuses it with `body`. */
  async function sendRefused(service: FakeService, session: ChatSession, body: ErrorBody): Promise<void> {
    session.send('hi');
    service.rt.sent[0]!.reject(ClientError.fromBody(body, 'sendChat'));
    await settle();
  }

  const mute = (over: Partial<ChatMute> = {}): ChatMute => ({
    tableId: TABLE,
    playerId: ME,
    createdAtMs: T0,
    mutedUntilMs: T0 + 10 * 60_000,
    reason: 'flooding the chat',
    mutedBy: 'boss_1',
    ...over,
  });

  it('knows of a mute of this player at this table from the event, refuses to send, and lifts it when it ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // The player's clock is an hour off the service's: the mute's length counts, not its end.
    vi.setSystemTime(T0 + 3_600_000);
    const service = new FakeService();
    const session = await open(service);
    service.rt.muted(mute({ playerId: 'p_other' }));
    service.rt.muted(mute({ tableId: 'baccarat-1' }));
    expect(session.store.getState().mute).toBeNull();

    service.rt.muted(mute());
    expect(session.store.getState().mute).toEqual({
      reason: 'flooding the chat',
      untilMs: T0 + 3_600_000 + 10 * 60_000,
      endKnown: true,
    });
    expect(session.send('let me talk')).toEqual({ ok: false, reason: 'You are muted at this table' });
    expect(service.rt.sent).toEqual([]);

    vi.advanceTimersByTime(10 * 60_000 - 1);
    expect(session.store.getState().mute).not.toBeNull();
    vi.advanceTimersByTime(1);
    expect(session.store.getState().mute).toBeNull();
    expect(session.send('sorry').ok).toBe(true);
  });

  it('learns of a mute from a refusal, and asks the service again after a while', async () => {
    const { service, session } = await openAtT0();
    await sendRefused(service, session, { code: 'CHAT_MUTED', message: 'muted at this table until ...: spam' });
    expect(session.store.getState().outbox).toMatchObject([{ status: 'failed', error: 'You are muted at this table' }]);
    expect(session.store.getState().mute).toEqual({ reason: null, untilMs: T0 + MUTE_RECHECK_MS, endKnown: false });
    expect(session.retry('cm-1')).toBe(false);

    vi.advanceTimersByTime(MUTE_RECHECK_MS);
    expect(session.store.getState().mute).toBeNull();
    expect(session.retry('cm-1')).toBe(true);
  });

  it('takes the end of a mute from the refusal that says how long it has left', async () => {
    const { service, session } = await openAtT0();
    await sendRefused(service, session, { code: 'CHAT_MUTED', message: 'muted: spam', retryAfterS: 300 });
    expect(session.store.getState().mute).toEqual({ reason: null, untilMs: T0 + 300_000, endKnown: true });
    vi.advanceTimersByTime(300_000);
    expect(session.store.getState().mute).toBeNull();
  });

  it('speaks again at once when a pit boss lifts the mute (only this player at this table)', async () => {
    const { service, session } = await openAtT0();
    service.rt.muted(mute());
    const lifted = { tableId: TABLE, playerId: ME, liftedBy: 'boss_1', liftedAtMs: T0 + 1000 };
    service.rt.unmuted({ ...lifted, playerId: 'p_other' });
    service.rt.unmuted({ ...lifted, tableId: 'baccarat-1' });
    expect(session.store.getState().mute).not.toBeNull();
    service.rt.unmuted(lifted);
    expect(session.store.getState().mute).toBeNull();
    expect(session.send('thank you').ok).toBe(true);
    // The old mute's timer does not come back to clear a later one early.
    service.rt.muted(mute({ createdAtMs: T0, mutedUntilMs: T0 + 20 * 60_000 }));
    vi.advanceTimersByTime(10 * 60_000);
    expect(session.store.getState().mute).not.toBeNull();
  });

  it('shows a mute set before the page opened, with its end, before the player types anything', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(T0);
    const service = new FakeService();
    service.ownMute = { reason: 'flooding the chat', mutedUntilMs: T0 + 99_000_000, remainingMs: 4 * 60_000 };
    const session = await open(service);
    // Counted from the service's "time left", not from its clock.
    expect(session.store.getState().mute).toEqual({
      reason: 'flooding the chat',
      untilMs: T0 + 4 * 60_000,
      endKnown: true,
    });
    expect(session.send('hi').ok).toBe(false);
    vi.advanceTimersByTime(4 * 60_000);
    expect(session.store.getState().mute).toBeNull();
  });

  it('forgets a mute lifted while it was away: the history read after a reconnection says so', async () => {
    const { service, session } = await openAtT0();
    service.rt.muted(mute());
    service.rt.disconnect();
    // The pit boss lifts it meanwhile; the event is lost with the connection.
    service.rt.reconnect();
    await settle();
    expect(session.store.getState().mute).toBeNull();
    expect(session.send('back again').ok).toBe(true);
  });

  it('keeps a mute whose event came while a history page (read before it) was on its way', async () => {
    const { service, session } = await openAtT0();
    service.onHistory = () => service.rt.muted(mute());
    service.rt.disconnect();
    service.rt.reconnect();
    await settle();
    expect(service.historyCalls.length).toBe(2);
    expect(session.store.getState().mute).not.toBeNull();
  });

  it('keeps the known end of a mute when a refusal comes after the event', async () => {
    const { service, session } = await openAtT0();
    session.send('sent before the mute');
    service.rt.muted(mute());
    service.rt.sent[0]!.reject(ClientError.fromBody({ code: 'CHAT_MUTED', message: 'muted' }, 'sendChat'));
    await settle();
    expect(session.store.getState().mute).toEqual({
      reason: 'flooding the chat',
      untilMs: T0 + 10 * 60_000,
      endKnown: true,
    });
  });
});

describe('how much is kept', () => {
  it('keeps the newest messages up to the limit, and pages back with the oldest id as `before`', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 4);
    const session = await open(service, { maxMessages: 5, pageSize: 3, maxReadBack: 8 });
    expect(messageIds(session)).toEqual(['2', '3', '4']);
    for (const m of service.storeQuietly(5, 5)) service.rt.chat(m);
    expect(messageIds(session)).toEqual(['5', '6', '7', '8', '9']);
    expect(session.store.getState()).toMatchObject({ hasEarlier: true, canLoadEarlier: true });

    const loading = session.loadEarlier();
    expect(session.store.getState()).toMatchObject({ loadingEarlier: true, canLoadEarlier: false });
    await loading;
    expect(service.historyCalls.at(-1)).toEqual({ before: '5', limit: 3 });
    expect(messageIds(session)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
    // A live message while reading back does not push out what the player asked for.
    service.rt.chat(msg(10));
    expect(messageIds(session)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
    // Read-back full.
    expect(session.store.getState()).toMatchObject({ hasEarlier: true, canLoadEarlier: false, loadingEarlier: false });

    session.trimToLatest();
    expect(messageIds(session)).toEqual(['6', '7', '8', '9', '10']);
    expect(session.store.getState().canLoadEarlier).toBe(true);
  });

  it('says when paging back reached the start of the chat', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 5);
    const session = await open(service, { pageSize: 3 });
    expect(session.store.getState().hasEarlier).toBe(true);
    await session.loadEarlier();
    expect(service.historyCalls.at(-1)).toEqual({ before: '3', limit: 3 });
    expect(messageIds(session)).toEqual(['1', '2', '3', '4', '5']);
    expect(session.store.getState()).toMatchObject({ hasEarlier: false, canLoadEarlier: false });
  });

  it('ignores a late live message older than the oldest kept, while older ones exist', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 10);
    const session = await open(service, { pageSize: 5 });
    service.rt.chat(msg(3));
    expect(messageIds(session)).toEqual(['6', '7', '8', '9', '10']);
  });
});

describe('reconnection', () => {
  it('reads the newest page again and merges what was missed', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 5);
    const session = await open(service, { pageSize: 10 });
    service.rt.disconnect();
    expect(session.store.getState().connected).toBe(false);
    service.storeQuietly(6, 3);
    service.rt.reconnect();
    await settle();
    expect(session.store.getState().connected).toBe(true);
    expect(messageIds(session)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(session.store.getState().hasEarlier).toBe(false);
  });

  it('starts from the newest page when more than a page was missed (no hole in the list)', async () => {
    const service = new FakeService();
    service.storeQuietly(1, 3);
    const session = await open(service, { pageSize: 3 });
    service.rt.disconnect();
    service.storeQuietly(4, 10);
    service.rt.reconnect();
    await settle();
    expect(messageIds(session)).toEqual(['11', '12', '13']);
    expect(session.store.getState().hasEarlier).toBe(true);
    await session.loadEarlier();
    expect(messageIds(session)).toEqual(['8', '9', '10', '11', '12', '13']);
  });

  it('keeps pending messages through a reconnection', async () => {
    const service = new FakeService();
    const session = await open(service);
    session.send('still going');
    service.rt.disconnect();
    service.rt.reconnect();
    await settle();
    expect(session.store.getState().outbox).toMatchObject([{ text: 'still going', status: 'pending' }]);
  });

  it('watches the table once the connection is there when the first watch found none', async () => {
    const service = new FakeService();
    service.rt.connected = false;
    service.rt.failWatch = new ClientError('TIMEOUT', 'no realtime connection within 10000 ms');
    service.storeQuietly(1, 2);
    const session = await open(service);
    expect(session.store.getState()).toMatchObject({ load: 'ready', connected: false });
    expect(service.rt.watchers).toHaveLength(0);

    service.rt.failWatch = null;
    service.storeQuietly(3, 1);
    service.rt.reconnect();
    await settle();
    expect(service.rt.watchers).toHaveLength(1);
    expect(messageIds(session)).toEqual(['1', '2', '3']);
    service.rt.chat(msg(4));
    expect(messageIds(session)).toEqual(['1', '2', '3', '4']);
  });
});

describe('closing', () => {
  it('stops its watch once, lets go of its listeners, and ignores what comes after', async () => {
    const service = new FakeService();
    const session = await open(service);
    const closed = vi.fn();
    session.observer.on('closed', closed);
    session.send('bye');
    session.close();
    session.close();
    await settle();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(service.rt.stops).toBe(1);
    expect(service.rt.listenerCount()).toBe(0);
    service.rt.sent[0]!.resolve(storedFor(service.rt.sent[0]!, 1));
    await settle();
    expect(session.store.getState().messages).toEqual([]);
    expect(session.send('again')).toEqual({ ok: false, reason: 'The chat is closed' });
  });

  it('stops a watch that was still on its way when it closed', async () => {
    const service = new FakeService();
    const session = ChatSession.create({ client: service, tableId: TABLE, playerId: ME });
    session.close();
    await settle();
    expect(service.rt.watchCalls).toBe(1);
    expect(service.rt.stops).toBe(1);
    expect(service.rt.watchers).toHaveLength(0);
  });
});

describe('mergeMessages', () => {
  it('is the ordered union by id', () => {
    const merged = mergeMessages([msg(2), msg(10)], [msg(10), msg(1), msg(3)]);
    expect(merged.map((m) => m.messageId)).toEqual(['1', '2', '3', '10']);
    expect(compareMessageIds('9', '10')).toBe(-1);
    expect(compareMessageIds('9223372036854775807', '9223372036854775806')).toBe(1);
  });
});
