import {
  type Alert,
  type BalanceEvent,
  type BetDto,
  type BetRefusedEvent,
  type ChatMessage,
  type ChatMute,
  type ChatUnmute,
  type DelayAnswer,
  ErrorBodySchema,
  type TableAck,
  type TableClientToServer,
  type TableEventName,
  TableEventSchemas,
  type TableRequest,
  type TableRequestName,
  TableResponseSchemas,
  type TableResponses,
  type TableServerToClient,
  type TableSnapshot,
} from '@live-casino/protocol';
import type { Static } from '@sinclair/typebox';
import { io, type Socket } from 'socket.io-client';
import { checker } from './checker.js';
import { ClientError } from './ClientError.js';

export type RoundEvent = Static<(typeof TableEventSchemas)['round']>;

const SESSION_LOST: ReadonlySet<string> = new Set(['AUTH_TOKEN_EXPIRED', 'AUTH_TOKEN_INVALID', 'AUTH_TOKEN_MISSING']);

export interface TableRealtimeOptions {
  /** A request without an acknowledgement within this long fails with TIMEOUT (default 10 s). */
  requestTimeoutMs?: number;
  /** Reconnection backoff: first delay and cap (socket.io's, with jitter; defaults 250 ms, 5 s). */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
}

/** Why a watcher is handed a snapshot rather than the next event. */
export type SnapshotReason = 'subscribed' | 'gap' | 'reconnected';

export interface TableWatcher {
  /** Every round event of the table, in sequence order, never one twice. */
  onEvent?(event: RoundEvent): void;
  /**
   * The table as it is now: first on subscribing, then whenever events went missing (a sequence
   * gap, a reconnection); events after it continue from its `seq`.
   */
  onSnapshot?(snapshot: TableSnapshot, reason: SnapshotReason): void;
  /** A resync that failed (it is tried again on the next event or reconnection). */
  onError?(err: ClientError): void;
}

export interface TableWatch {
  readonly snapshot: TableSnapshot;
  stop(): Promise<void>;
}

type TableSocket = Socket<TableServerToClient, TableClientToServer>;
type TimedTableSocket = ReturnType<TableSocket['timeout']>;

// One sender per request: socket.io's typed emitWithAck cannot follow a generic event name, a
// mapped object of them can (the request's name and body stay correlated).
type Senders = {
  [N in TableRequestName]: (socket: TimedTableSocket, req: TableRequest<N>) => Promise<TableAck<TableResponses[N]>>;
};
const senders: Senders = {
  subscribe: (s, r) => s.emitWithAck('subscribe', r),
  unsubscribe: (s, r) => s.emitWithAck('unsubscribe', r),
  placeBet: (s, r) => s.emitWithAck('placeBet', r),
  cancelBet: (s, r) => s.emitWithAck('cancelBet', r),
  reportDelay: (s, r) => s.emitWithAck('reportDelay', r),
  subscribeAlerts: (s, r) => s.emitWithAck('subscribeAlerts', r),
  sendChat: (s, r) => s.emitWithAck('sendChat', r),
};

/**
 * One request on a table-service socket of the caller's own (tests, tools that manage their
 * socket): the typed acknowledgement, or a rejection after `timeoutMs`.
 */
export function sendTableRequest<N extends TableRequestName>(
  socket: TableSocket,
  name: N,
  req: TableRequest<N>,
  timeoutMs = 10_000,
): Promise<TableAck<TableResponses[N]>> {
  return senders[name](socket.timeout(timeoutMs), req);
}

const ackCheckers = {
  subscribe: checker(TableResponseSchemas.subscribe),
  unsubscribe: checker(TableResponseSchemas.unsubscribe),
  placeBet: checker(TableResponseSchemas.placeBet),
  cancelBet: checker(TableResponseSchemas.cancelBet),
  reportDelay: checker(TableResponseSchemas.reportDelay),
  subscribeAlerts: checker(TableResponseSchemas.subscribeAlerts),
  sendChat: checker(TableResponseSchemas.sendChat),
} satisfies Record<TableRequestName, unknown>;
const eventCheckers = {
  round: checker(TableEventSchemas.round),
  balance: checker(TableEventSchemas.balance),
  betRefused: checker(TableEventSchemas.betRefused),
  alert: checker(TableEventSchemas.alert),
  chat: checker(TableEventSchemas.chat),
  chatMuted: checker(TableEventSchemas.chatMuted),
  chatUnmuted: checker(TableEventSchemas.chatUnmuted),
} satisfies Record<TableEventName, unknown>;
const isErrorBody = checker(ErrorBodySchema);

/** An event listener that hands on only payloads inside the contract. */
function checked<T>(guard: (value: unknown) => value is T, fn: (ev: T) => void): (ev: T) => void {
  return (ev) => {
    if (guard(ev)) fn(ev);
  };
}

interface Watched {
  readonly watchers: Set<TableWatcher>;
  /** Sequence number of the last event (or snapshot) delivered. */
  seq: number;
  /** Events that arrived while a snapshot was on its way, applied after it. */
  pending: RoundEvent[] | null;
}

/**
 * table-service's socket.io connection: the session's token at every (re)connection, typed
 * requests whose acknowledgements are checked against the protocol, round events per table with
 * sequence-gap detection and snapshot resync, and socket.io's reconnection with backoff.
 */
export class TableRealtime {
  readonly socket: TableSocket;
  readonly #timeoutMs: number;
  readonly #tables = new Map<string, Watched>();
  #everConnected = false;
  #closed = false;

  constructor(url: string, token: () => Promise<string>, opts: TableRealtimeOptions = {}) {
    this.#timeoutMs = opts.requestTimeoutMs ?? 10_000;
    const socket: TableSocket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: opts.reconnectDelayMs ?? 250,
      reconnectionDelayMax: opts.reconnectDelayMaxMs ?? 5_000,
      randomizationFactor: 0.5,
      // Asked at every (re)connection: a renewed session is used from the next connection on.
      auth: (send) => {
        token().then(
          (t) => send({ token: t }),
          () => send({}),
        );
      },
    });
    this.socket = socket;
    socket.on('connect', () => {
      if (this.#everConnected) for (const tableId of this.#tables.keys()) void this.#resync(tableId, 'reconnected');
      this.#everConnected = true;
    });
    socket.on('round', (event) => {
      if (!eventCheckers.round(event)) return;
      this.#onRound(event);
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Resolves once connected (or fails after the request timeout). */
  async ready(): Promise<void> {
    if (this.socket.connected) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('connect', onConnect);
        reject(new ClientError('TIMEOUT', `no realtime connection within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.once('connect', onConnect);
    });
  }

  /**
   * Follows a table's rounds: the snapshot now, then every event in order (see TableWatcher).
   * Several watchers of one table share one subscription.
   */
  async watch(tableId: string, watcher: TableWatcher): Promise<TableWatch> {
    let watched = this.#tables.get(tableId);
    let snapshot: TableSnapshot;
    const first = !watched;
    watched ??= { watchers: new Set(), seq: 0, pending: [] };
    const entry = watched;
    this.#tables.set(tableId, entry);
    entry.watchers.add(watcher);
    try {
      snapshot = await this.#subscribe(tableId);
    } catch (err) {
      // Only this watcher goes: another one that joined meanwhile keeps the table (and its own
      // subscribe answer applies the snapshot to it).
      entry.watchers.delete(watcher);
      if (entry.watchers.size === 0 && this.#tables.get(tableId) === entry) this.#tables.delete(tableId);
      throw err;
    }
    if (first && entry.seq === 0) this.#applySnapshot(tableId, entry, snapshot, 'subscribed');
    else if (snapshot.seq > entry.seq) this.#applySnapshot(tableId, entry, snapshot, 'gap');
    return {
      snapshot,
      stop: async () => {
        entry.watchers.delete(watcher);
        if (entry.watchers.size > 0 || this.#tables.get(tableId) !== entry) return;
        this.#tables.delete(tableId);
        if (!this.socket.connected) return;
        await this.#call('unsubscribe', { tableId }).catch(() => undefined);
      },
    };
  }

  /** Places a bet; a retry with the same `clientBetId` gets the first answer. */
  placeBet(req: TableRequest<'placeBet'>): Promise<BetDto> {
    return this.#call('placeBet', req);
  }

  cancelBet(clientBetId: string): Promise<BetDto> {
    return this.#call('cancelBet', { clientBetId });
  }

  /** Reports the player's playout delay (for dashboards); the answer is their window as measured. */
  reportDelay(req: TableRequest<'reportDelay'>): Promise<DelayAnswer> {
    return this.#call('reportDelay', req);
  }

  /** Pit bosses: alerts as they are raised or resolved (`onAlert`), and the open ones now. */
  async subscribeAlerts(): Promise<Alert[]> {
    return (await this.#call('subscribeAlerts', {})).alerts;
  }

  /**
   * A chat message to a table (a player, the table's dealer, a pit boss); the answer is the message
   * as stored, and the table's subscribers (this socket too) get it as `onChat`. A retry with the
   * same `clientMessageId` is the same message.
   */
  sendChat(req: TableRequest<'sendChat'>): Promise<ChatMessage> {
    return this.#call('sendChat', req);
  }

  /** The player's balance after a bet elsewhere, a cancel, a refund or a settlement. */
  onBalance(fn: (ev: BalanceEvent) => void): () => void {
    const listener = checked(eventCheckers.balance, fn);
    this.socket.on('balance', listener);
    return () => this.socket.off('balance', listener);
  }

  /** A bet of the player's that the close found late: refunded. */
  onBetRefused(fn: (ev: BetRefusedEvent) => void): () => void {
    const listener = checked(eventCheckers.betRefused, fn);
    this.socket.on('betRefused', listener);
    return () => this.socket.off('betRefused', listener);
  }

  /** Pit bosses who called `subscribeAlerts`: an alert raised, or resolved. */
  onAlert(fn: (ev: Alert) => void): () => void {
    const listener = checked(eventCheckers.alert, fn);
    this.socket.on('alert', listener);
    return () => this.socket.off('alert', listener);
  }

  /** Chat messages of the tables this connection watches, in the order the server stored them. */
  onChat(fn: (ev: ChatMessage) => void): () => void {
    const listener = checked(eventCheckers.chat, fn);
    this.socket.on('chat', listener);
    return () => this.socket.off('chat', listener);
  }

  /** The player was muted at a table by a pit boss. */
  onChatMuted(fn: (ev: ChatMute) => void): () => void {
    const listener = checked(eventCheckers.chatMuted, fn);
    this.socket.on('chatMuted', listener);
    return () => this.socket.off('chatMuted', listener);
  }

  /** A pit boss lifted the player's mute at a table before its end. */
  onChatUnmuted(fn: (ev: ChatUnmute) => void): () => void {
    const listener = checked(eventCheckers.chatUnmuted, fn);
    this.socket.on('chatUnmuted', listener);
    return () => this.socket.off('chatUnmuted', listener);
  }

  close(): void {
    this.#closed = true;
    this.#tables.clear();
    this.socket.close();
  }

  /**
   * One request and its checked answer. A session the service no longer takes (it expired while
   * the socket stayed open) makes the socket reconnect with a fresh token, and the request is sent
   * once more.
   */
  async #call<N extends TableRequestName>(name: N, req: TableRequest<N>): Promise<TableResponses[N]> {
    let ack = await this.#send(name, req);
    if (typeof ack === 'object' && ack !== null && !ack.ok && SESSION_LOST.has(ack.error?.code)) {
      this.socket.disconnect().connect();
      ack = await this.#send(name, req);
    }
    return this.#answer(name, ack);
  }

  async #send<N extends TableRequestName>(name: N, req: TableRequest<N>): Promise<TableAck<TableResponses[N]>> {
    if (this.#closed) throw new ClientError('NETWORK_UNREACHABLE', 'the realtime connection is closed');
    if (!this.socket.connected) await this.ready();
    try {
      return await sendTableRequest(this.socket, name, req, this.#timeoutMs);
    } catch {
      throw new ClientError('TIMEOUT', `${name}: no acknowledgement within ${this.#timeoutMs} ms`);
    }
  }

  #answer<N extends TableRequestName>(name: N, ack: TableAck<TableResponses[N]>): TableResponses[N] {
    if (typeof ack !== 'object' || ack === null) throw new ClientError('BAD_RESPONSE', `${name}: no answer`);
    if (ack.ok) {
      const check: (value: unknown) => boolean = ackCheckers[name];
      if (!check(ack.data)) throw new ClientError('BAD_RESPONSE', `${name}: an answer outside the contract`);
      return ack.data;
    }
    if (!isErrorBody(ack.error)) throw new ClientError('BAD_RESPONSE', `${name}: a refusal outside the contract`);
    throw ClientError.fromBody(ack.error, name);
  }

  #subscribe(tableId: string): Promise<TableSnapshot> {
    return this.#call('subscribe', { tableId });
  }

  #onRound(event: RoundEvent): void {
    const watched = this.#tables.get(event.tableId);
    if (!watched) return;
    if (watched.pending) {
      watched.pending.push(event);
      return;
    }
    if (event.seq <= watched.seq) return;
    if (event.seq > watched.seq + 1) {
      watched.pending = [event];
      void this.#resync(event.tableId, 'gap');
      return;
    }
    watched.seq = event.seq;
    for (const w of watched.watchers) w.onEvent?.(event);
  }

  async #resync(tableId: string, reason: SnapshotReason): Promise<void> {
    const watched = this.#tables.get(tableId);
    if (!watched) return;
    watched.pending ??= [];
    try {
      const snapshot = await this.#subscribe(tableId);
      if (this.#tables.get(tableId) === watched) this.#applySnapshot(tableId, watched, snapshot, reason);
    } catch (err) {
      // Tried again on the next event (a gap again) or the next reconnection.
      watched.pending = null;
      const error = err instanceof ClientError ? err : new ClientError('BAD_RESPONSE', String(err));
      for (const w of watched.watchers) w.onError?.(error);
    }
  }

  #applySnapshot(tableId: string, watched: Watched, snapshot: TableSnapshot, reason: SnapshotReason): void {
    const pending = watched.pending ?? [];
    watched.pending = null;
    if (snapshot.seq >= watched.seq) {
      watched.seq = snapshot.seq;
      for (const w of watched.watchers) w.onSnapshot?.(snapshot, reason);
    }
    // What came while the snapshot was on its way, in order; a gap among them asks again.
    for (const event of pending.sort((a, b) => a.seq - b.seq)) {
      if (this.#tables.get(tableId) !== watched) return;
      this.#onRound(event);
    }
  }
}
