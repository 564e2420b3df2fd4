import {
  BetDto,
  BetHistoryPage,
  ChatHistory,
  ChatMute,
  type ChatMuteBody,
  ChatMuteList,
  NoContent,
  TableResults,
  Me,
  PlayerSession,
  RefreshedSession,
  RoundDto,
  type RoundResult,
  StaffSession,
  StreamGrant,
  TableSnapshot,
  TableSummary,
  VisionReadingAnswer,
  type VisionReadingBody,
} from '@live-casino/protocol';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { checker } from './checker.js';
import { ClientError, errorBodyOf, SignInError } from './ClientError.js';
import { RENEW_BEFORE_MS, renewAt } from './renewal.js';
import { TableRealtime, type TableRealtimeOptions } from './TableRealtime.js';

/** Who the client signs in as, kept so that it can sign in again when its session runs out. */
export type Credentials =
  | { readonly kind: 'player'; readonly username: string; readonly password: string }
  | { readonly kind: 'staff'; readonly id: string; readonly password: string };

/** The part of a session every call needs. */
export interface SessionToken {
  readonly token: string;
  /** Unix ms. */
  readonly expiresAt: number;
}

export interface TableServiceClientOptions {
  /** table-service's public URL (`http://127.0.0.1:8080`); '' for the page's own origin. */
  baseUrl: string;
  /**
   * Kept to sign in again before the session ends (services, the simulated dealer, load tests).
   * Without them, an ended session is the caller's to renew (a player signs in again).
   */
  credentials?: Credentials;
  /** Each HTTP call gives up after this long (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * A session or stream grant is renewed this long before its end (default 60 s), or half-way
   * through its life when that comes later (see `renewAt`).
   */
  renewBeforeMs?: number;
  /**
   * After a failed sign-in with the kept credentials, none again for this long (default 5 s): the
   * service limits sign-ins per address, and a process must not lock itself out.
   */
  signInRetryMs?: number;
  /** Tests and benches pass their own clock. */
  now?: () => number;
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'DELETE';

const TableList = Type.Array(TableSummary, { maxItems: 1000 });
const CurrentRound = Type.Object({ round: Type.Union([RoundDto, Type.Null()]) });
const BetList = Type.Array(BetDto, { maxItems: 200 });
type GrantRole = 'view' | 'publish' | 'egress';

/** A grant as cached: with when it is renewed, counted from when it was asked for. */
interface HeldGrant {
  readonly grant: StreamGrant;
  readonly renewsAt: number;
}

/**
 * The one client of table-service's HTTP API: sign-in (once, shared by everything the process
 * does: a vision worker reading twelve tables logs in once), sessions renewed before they end,
 * stream grants cached until near their end, typed calls whose answers are checked against the
 * protocol's schemas, and `realtime()`, the socket.io connection with typed requests and events.
 */
export class TableServiceClient {
  readonly baseUrl: string;
  readonly #opts: TableServiceClientOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #renewBeforeMs: number;
  #session: SessionToken | null = null;
  readonly #sessionListeners = new Set<(session: SessionToken) => void>();
  #sessionRenewsAt = 0;
  /** The sign-in in flight: concurrent callers share it. */
  #signingIn: Promise<SessionToken> | null = null;
  /** The last failed sign-in, answered again until `until`. */
  #signInBlocked: { until: number; error: SignInError } | null = null;
  readonly #grants = new Map<string, Promise<HeldGrant>>();
  #realtime: TableRealtime | null = null;
  /** How many sign-ins this client made (a service should make one per session lifetime). */
  signIns = 0;

  constructor(opts: TableServiceClientOptions) {
    this.#opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.#now = opts.now ?? Date.now;
    this.#renewBeforeMs = opts.renewBeforeMs ?? RENEW_BEFORE_MS;
  }

  /** The current session, or null before sign-in and after sign-out. */
  get session(): SessionToken | null {
    return this.#session;
  }

  /** Signs a player in; the session is used by every later call. */
  async login(username: string, password: string): Promise<PlayerSession> {
    const askedAt = this.#now();
    const session = await this.#call('POST', '/v1/auth/login', PlayerSession, { body: { username, password } });
    this.#adopt(session, askedAt);
    return session;
  }

  /** Signs a dealer, pit boss or service in. */
  async staffLogin(id: string, password: string): Promise<StaffSession> {
    const askedAt = this.#now();
    const session = await this.#call('POST', '/v1/auth/staff-login', StaffSession, { body: { id, password } });
    this.#adopt(session, askedAt);
    return session;
  }

  /**
   * Uses a session obtained elsewhere (a page reload keeps the player's session). Its life is
   * counted from now: when it was issued is not known here.
   */
  useSession(session: SessionToken): void {
    this.#adopt(session, this.#now());
  }

  /** Forgets the session, the cached grants and the realtime connection. */
  signOut(): void {
    this.#session = null;
    this.#grants.clear();
    this.#realtime?.close();
    this.#realtime = null;
  }

  /**
   * The current session's token until it is due for renewal (`renewAt`), then a new sign-in with
   * the kept credentials, or without them a refresh of the session (`POST /v1/auth/refresh`), one
   * at a time however many callers ask.
   */
  async token(): Promise<string> {
    const session = this.#session;
    if (session && this.#now() < this.#sessionRenewsAt) return session.token;
    return (await this.#signIn()).token;
  }

  me(): Promise<Me> {
    return this.#authorized('GET', '/v1/me', Me);
  }

  tables(): Promise<TableSummary[]> {
    return this.#call('GET', '/v1/tables', TableList);
  }

  /** The round in play at a table, or null between rounds. */
  async currentRound(tableId: string): Promise<RoundDto | null> {
    const answer = await this.#authorized('GET', `/v1/tables/${encodeURIComponent(tableId)}/round`, CurrentRound);
    return answer.round;
  }

  /** The table's current round with the round-log sequence number it is current as of. */
  snapshot(tableId: string): Promise<TableSnapshot> {
    return this.#authorized('GET', `/v1/tables/${encodeURIComponent(tableId)}/snapshot`, TableSnapshot);
  }

  /** The player's bets, newest first. */
  bets(limit = 50): Promise<BetDto[]> {
    return this.#authorized('GET', `/v1/bets?limit=${limit}`, BetList);
  }

  /** A page of the player's bets with what each returned, newest first; pass the page's `before` for the next. */
  betHistory(opts: { before?: string | null; limit?: number } = {}): Promise<BetHistoryPage> {
    const query = new URLSearchParams({ limit: String(opts.limit ?? 20) });
    if (opts.before) query.set('before', opts.before);
    return this.#authorized('GET', `/v1/bets/history?${query}`, BetHistoryPage);
  }

  /** The table's settled rounds and their results, newest first (public). */
  tableResults(tableId: string, limit = 100): Promise<TableResults> {
    return this.#call('GET', `/v1/tables/${encodeURIComponent(tableId)}/results?limit=${limit}`, TableResults);
  }

  /** A page of a table's chat, oldest first; `before` (the page's) for older messages. */
  chatHistory(tableId: string, opts: { before?: string | null; limit?: number } = {}): Promise<ChatHistory> {
    const query = new URLSearchParams({ limit: String(opts.limit ?? 50) });
    if (opts.before) query.set('before', opts.before);
    return this.#authorized('GET', `/v1/tables/${encodeURIComponent(tableId)}/chat?${query}`, ChatHistory);
  }

  /** Pit bosses: mutes a player at a table for `minutes`, with a reason. */
  muteChat(tableId: string, body: ChatMuteBody): Promise<ChatMute> {
    return this.#authorized('POST', `/v1/tables/${encodeURIComponent(tableId)}/chat/mutes`, ChatMute, { body });
  }

  /** Pit bosses: lifts a player's mute at a table (done also when there was none). */
  async unmuteChat(tableId: string, playerId: string): Promise<void> {
    await this.#authorized(
      'DELETE',
      `/v1/tables/${encodeURIComponent(tableId)}/chat/mutes/${encodeURIComponent(playerId)}`,
      NoContent,
    );
  }

  /** The table's active mutes (pit bosses; the table's dealer). */
  chatMutes(tableId: string): Promise<ChatMuteList> {
    return this.#authorized('GET', `/v1/tables/${encodeURIComponent(tableId)}/chat/mutes`, ChatMuteList);
  }

  /** Cancels a bet of the player's while betting is open (HTTP; the socket has `cancelBet` too). */
  cancelBet(clientBetId: string): Promise<BetDto> {
    return this.#authorized('DELETE', `/v1/bets/${encodeURIComponent(clientBetId)}`, BetDto);
  }

  // ---- running a round (dealers on their table, pit bosses and services on any) ----------------

  /** Opens betting on a new round, at the studio time of the frame where it opened. */
  openRound(tableId: string, opensAtStudioMs: number): Promise<RoundDto> {
    return this.#authorized('POST', `/v1/tables/${encodeURIComponent(tableId)}/rounds`, RoundDto, {
      body: { opensAtStudioMs },
    });
  }

  closeBetting(roundId: string, closesAtStudioMs: number): Promise<RoundDto> {
    return this.#roundAction(roundId, 'close', { closesAtStudioMs });
  }

  /** The first frame that shows anything of the outcome (the ball drops, the first card turns). */
  reveal(roundId: string, studioMs: number): Promise<RoundDto> {
    return this.#roundAction(roundId, 'reveal', { studioMs });
  }

  /** The dealer's result (roulette `{ pocket }`, baccarat `{ cards }` in dealing order). */
  enterResult(roundId: string, result: RoundResult, studioMs?: number): Promise<RoundDto> {
    return this.#roundAction(roundId, 'result', studioMs === undefined ? { result } : { result, studioMs });
  }

  confirmResult(roundId: string): Promise<RoundDto> {
    return this.#roundAction(roundId, 'confirm');
  }

  settle(roundId: string): Promise<RoundDto> {
    return this.#roundAction(roundId, 'settle');
  }

  /** Voids a round: every bet on it refunded once. */
  voidRound(roundId: string, reason: string): Promise<RoundDto> {
    return this.#roundAction(roundId, 'void', { reason });
  }

  /** Pit bosses: settles a held round with the result they chose. */
  resolveRound(roundId: string, result: RoundResult): Promise<RoundDto> {
    return this.#roundAction(roundId, 'resolve', { result });
  }

  /**
   * A vision reading (service sessions), with the answer's status: 201 stored, 200 a retry of one
   * stored before (same readingId, same body).
   */
  async postReading(
    tableId: string,
    body: VisionReadingBody,
  ): Promise<{ status: number; answer: VisionReadingAnswer }> {
    let status = 0;
    const answer = await this.#authorized(
      'POST',
      `/v1/tables/${encodeURIComponent(tableId)}/readings`,
      VisionReadingAnswer,
      { body, onStatus: (s) => (status = s) },
    );
    return { status, answer };
  }

  /**
   * A stream grant for a table, shared by every caller until it is due for renewal (`renewAt`):
   * a vision worker, a dealer's two cameras, a player's video and its HLS fallback.
   */
  async streamGrant(tableId: string, role: GrantRole = 'view'): Promise<StreamGrant> {
    const key = `${role}:${tableId}`;
    const cached = this.#grants.get(key);
    if (cached) {
      const held = await cached.catch(() => null);
      if (held && this.#now() < held.renewsAt) return held.grant;
      if (this.#grants.get(key) !== cached) return this.streamGrant(tableId, role);
    }
    const askedAt = this.#now();
    const fresh = this.#authorized('POST', '/v1/stream-grants', StreamGrant, {
      body: role === 'view' ? { tableId } : { tableId, role },
    }).then((grant) => ({ grant, renewsAt: renewAt(grant.expiresAt, askedAt, this.#renewBeforeMs) }));
    this.#grants.set(key, fresh);
    fresh.catch(() => {
      if (this.#grants.get(key) === fresh) this.#grants.delete(key);
    });
    return (await fresh).grant;
  }

  /** Forgets a cached grant (the sfu refused it): the next `streamGrant` asks for a new one. */
  dropStreamGrant(tableId: string, role: GrantRole = 'view'): void {
    this.#grants.delete(`${role}:${tableId}`);
  }

  /** The realtime connection (one per client, opened on first use, with this client's session). */
  realtime(opts: TableRealtimeOptions = {}): TableRealtime {
    if (!this.#realtime) {
      this.#realtime = new TableRealtime(this.baseUrl || globalThis.location?.origin || '', () => this.token(), opts);
    }
    return this.#realtime;
  }

  close(): void {
    this.#realtime?.close();
    this.#realtime = null;
  }

  #roundAction(roundId: string, action: string, body?: Record<string, unknown>): Promise<RoundDto> {
    return this.#authorized(
      'POST',
      `/v1/rounds/${encodeURIComponent(roundId)}/${action}`,
      RoundDto,
      body === undefined ? {} : { body },
    );
  }

  /** `obtainedAt`: when the session was asked for (its life is counted from then). */
  #adopt(session: SessionToken, obtainedAt: number): void {
    const changed = this.#session?.token !== session.token;
    if (changed) this.#grants.clear();
    this.#session = { token: session.token, expiresAt: session.expiresAt };
    this.#sessionRenewsAt = renewAt(session.expiresAt, obtainedAt, this.#renewBeforeMs);
    if (changed) for (const fn of this.#sessionListeners) fn(this.#session);
  }

  /** Hears every new session (a sign-in, a refresh), e.g. to keep it across page reloads. */
  onSession(fn: (session: SessionToken) => void): () => void {
    this.#sessionListeners.add(fn);
    return () => this.#sessionListeners.delete(fn);
  }

  /**
   * Without credentials (a player's page): the session renewed by `POST /v1/auth/refresh` while it
   * lasts. A refresh that fails leaves the session as it is until it ends.
   */
  #refresh(session: SessionToken): Promise<SessionToken> {
    if (!this.#signingIn) {
      const refreshing = (async () => {
        const askedAt = this.#now();
        try {
          const fresh = await this.#call('POST', '/v1/auth/refresh', RefreshedSession, { token: session.token });
          if (this.#session?.token === session.token) this.#adopt(fresh, askedAt);
          return fresh;
        } catch (err) {
          if (err instanceof ClientError && err.sessionLost) throw err;
          // Not refreshed now (no answer, busy): the current session still serves; try again in a while.
          this.#sessionRenewsAt = Math.min(session.expiresAt, this.#now() + 5_000);
          return session;
        }
      })();
      this.#signingIn = refreshing;
      const done = () => {
        if (this.#signingIn === refreshing) this.#signingIn = null;
      };
      refreshing.then(done, done);
    }
    return this.#signingIn;
  }

  #signIn(): Promise<SessionToken> {
    const credentials = this.#opts.credentials;
    if (!credentials) {
      const session = this.#session;
      if (session && this.#now() < session.expiresAt - 1_000) return this.#refresh(session);
      return Promise.reject(
        new ClientError(
          session ? 'AUTH_TOKEN_EXPIRED' : 'NOT_SIGNED_IN',
          session ? 'the session has ended: sign in again' : 'not signed in',
        ),
      );
    }
    const blocked = this.#signInBlocked;
    if (blocked && this.#now() < blocked.until) return Promise.reject(blocked.error);
    if (!this.#signingIn) {
      const signingIn = (async () => {
        this.signIns++;
        try {
          return credentials.kind === 'player'
            ? await this.login(credentials.username, credentials.password)
            : await this.staffLogin(credentials.id, credentials.password);
        } catch (err) {
          const error = new SignInError(
            err instanceof ClientError ? err : new ClientError('BAD_RESPONSE', String(err)),
          );
          this.#signInBlocked = { until: this.#now() + (this.#opts.signInRetryMs ?? 5_000), error };
          throw error;
        }
      })();
      this.#signingIn = signingIn;
      const done = () => {
        if (this.#signingIn === signingIn) this.#signingIn = null;
      };
      signingIn.then(done, done);
    }
    return this.#signingIn;
  }

  /** A call with the session; a session the service no longer takes is renewed once, then retried. */
  async #authorized<T extends TSchema>(
    method: Method,
    path: string,
    schema: T,
    opts: { body?: unknown; onStatus?: (status: number) => void } = {},
  ): Promise<Static<T>> {
    const token = await this.token();
    try {
      return await this.#call(method, path, schema, { ...opts, token });
    } catch (err) {
      if (!(err instanceof ClientError && err.sessionLost && this.#opts.credentials)) throw err;
      if (this.#session?.token === token) this.#session = null;
      return this.#call(method, path, schema, { ...opts, token: await this.token() });
    }
  }

  async #call<T extends TSchema>(
    method: Method,
    path: string,
    schema: T,
    opts: { body?: unknown; token?: string; onStatus?: (status: number) => void } = {},
  ): Promise<Static<T>> {
    const what = `${method} ${path.split('?')[0]}`;
    const timeoutMs = this.#opts.requestTimeoutMs ?? 10_000;
    let res: Response;
    try {
      res = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new ClientError(
        timedOut ? 'TIMEOUT' : 'NETWORK_UNREACHABLE',
        timedOut ? `${what}: no answer within ${timeoutMs} ms` : `${what}: ${describe(err)}`,
      );
    }
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      // 204 No Content is the protocol's NoContent (null).
      body = text === '' ? (res.status === 204 ? null : undefined) : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const error = errorBodyOf(body);
      if (error) throw ClientError.fromBody(error, what, res.status);
      // A proxy's page (502/503/504): table-service itself did not answer.
      throw new ClientError(res.status >= 500 ? 'NETWORK_UNREACHABLE' : 'BAD_RESPONSE', `${what}: HTTP ${res.status}`, {
        status: res.status,
      });
    }
    if (!checker(schema)(body)) {
      throw new ClientError('BAD_RESPONSE', `${what}: an answer outside the contract`, { status: res.status });
    }
    opts.onStatus?.(res.status);
    return body;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
