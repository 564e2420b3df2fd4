import { renewAt, sendSfuRequest, TableServiceClient } from '@live-casino/clients';
import { EventEmitter } from 'node:events';
import type { SfuClientToServer, SfuServerToClient, StreamGrant } from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';
import { backoffDelay } from '@live-casino/server-kit';

/** What the publisher needs of an RTP sender: its parameters, and where to send. */
export interface RtpSource {
  readonly rtpParameters: {
    codecs: { mimeType: string; payloadType: number; clockRate: number; parameters?: Record<string, unknown> }[];
    encodings: { ssrc: number }[];
    headerExtensions: { uri: string; id: number }[];
    rtcp: { cname: string; reducedSize: boolean };
  };
  setTarget(target: { host: string; port: number }): void | Promise<void>;
}

export interface StudioPublisherOptions {
  tableId: string;
  /** Camera name at the studio; one RTP ingest per source. */
  source: string;
  tableServiceUrl: string;
  studioSecret: string;
  /** Where publish grants come from; by default a client presenting `studioSecret`. */
  tableService?: TableServiceClient;
  feed: RtpSource;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

export type StudioPublisherEvents = {
  published: [{ ip: string; port: number; producerId: string }];
  /** A fresh token was handed to the sfu; the producer (and so HLS and vision) carried on. */
  refreshed: [{ expiresAt: number }];
  error: [Error];
};

/**
 * When to hand the sfu a fresh token: when the client renews the grant (`renewAt`: a minute before
 * its end, or half-way through a short life, so that STREAM_TOKEN_TTL_S=10 is refreshed in time),
 * and not sooner than a second from now.
 */
export function refreshDelayMs(grant: { expiresAt: number }, fetchedAt: number, now = Date.now()): number {
  // A little after the client's own renewal time, so that its cache has a new grant by then.
  return Math.max(1000, renewAt(grant.expiresAt, fetchedAt) - now + 50);
}

/**
 * Keeps a studio feed published into the sfu: asks table-service for a publish grant, opens an
 * RTP ingest through signalling, points the feed at it, and does it all again whenever the sfu
 * says the table's media was rebuilt or the connection comes back. Before the token expires it
 * hands the sfu a fresh one (`refreshToken`): the producer stays, so HLS and the vision feed never
 * restart for a token.
 */
export class StudioPublisher extends EventEmitter<StudioPublisherEvents> {
  readonly #opts: StudioPublisherOptions;
  readonly #tableService: TableServiceClient;
  #socket: Socket<SfuServerToClient, SfuClientToServer> | undefined;
  #grant: StreamGrant | undefined;
  #grantFetchedAt = 0;
  /** Whether the current socket holds a published ingest (refreshing then suffices). */
  #published = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #publishing: Promise<void> | undefined;

  private constructor(opts: StudioPublisherOptions) {
    super();
    this.#opts = opts;
    this.#tableService = opts.tableService ?? studioClient(opts.tableServiceUrl, opts.studioSecret);
  }

  static async create(opts: StudioPublisherOptions): Promise<StudioPublisher> {
    const publisher = new StudioPublisher(opts);
    publisher.#schedule(0);
    return publisher;
  }

  #log(msg: string, extra?: Record<string, unknown>): void {
    this.#opts.log?.(msg, { tableId: this.#opts.tableId, ...extra });
  }

  #schedule(delayMs: number, what: 'publish' | 'refresh' = 'publish'): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void (what === 'refresh' ? this.#refreshOnce() : this.#publishOnce()), delayMs);
  }

  /** The client's publish grant: the same until it is due for renewal, then a fresh one. */
  async #freshGrant(): Promise<StreamGrant> {
    const asked = Date.now();
    const grant = await this.#tableService.streamGrant(this.#opts.tableId, 'publish');
    if (grant.token !== this.#grant?.token) {
      this.#grant = grant;
      this.#grantFetchedAt = asked;
    }
    return grant;
  }

  #connect(grant: StreamGrant): Socket<SfuServerToClient, SfuClientToServer> {
    if (this.#socket) return this.#socket;
    const socket: Socket<SfuServerToClient, SfuClientToServer> = io(grant.sfuUrl, {
      transports: ['websocket'],
      reconnectionDelayMax: 2000,
    });
    socket.on('connect', () => {
      // A reconnect may mean a restarted sfu that knows nothing of this table.
      if (this.#attempt > 0 || this.#grant) this.#schedule(0);
    });
    socket.on('disconnect', () => {
      this.#published = false;
    });
    socket.on('tokenExpired', ({ tableId }) => {
      if (tableId !== this.#opts.tableId) return;
      this.#log('sfu says the publish token expired; publishing again');
      this.#tableService.dropStreamGrant(this.#opts.tableId, 'publish');
      this.#published = false;
      this.#schedule(0);
    });
    socket.on('mediaReset', ({ tableId, reason }) => {
      if (tableId !== this.#opts.tableId) return;
      this.#log('sfu rebuilt the table media; publishing again', { reason });
      this.#schedule(0);
    });
    this.#socket = socket;
    return socket;
  }

  async #publishOnce(): Promise<void> {
    if (this.#closed || this.#publishing) return;
    this.#publishing = (async () => {
      try {
        this.#published = false;
        const grant = await this.#freshGrant();
        const socket = this.#connect(grant);
        if (!socket.connected) {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('sfu not reachable')), 5000);
            socket.once('connect', () => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        const common = { token: grant.token, tableId: this.#opts.tableId };
        const joined = await sendSfuRequest(socket, 'join', common, 5000);
        if (!joined.ok) throw new Error(`join refused: ${joined.error.code} ${joined.error.message}`);
        const res = await sendSfuRequest(
          socket,
          'publishRtp',
          { ...common, source: this.#opts.source, kind: 'video', rtpParameters: this.#opts.feed.rtpParameters },
          5000,
        );
        if (!res.ok) throw new Error(`publishRtp refused: ${res.error.code} ${res.error.message}`);
        await this.#opts.feed.setTarget({ host: res.data.ip, port: res.data.port });
        this.#attempt = 0;
        this.#published = true;
        this.#log('published', { ...res.data });
        this.emit('published', res.data);
        this.#schedule(refreshDelayMs(grant, this.#grantFetchedAt), 'refresh');
      } catch (err) {
        this.#attempt++;
        const delay = backoffDelay(this.#attempt, { initialMs: 250, maxMs: 5000 });
        this.#log('publish failed; retrying', { err: String(err), retryInMs: delay });
        this.#schedule(delay);
      } finally {
        this.#publishing = undefined;
      }
    })();
    await this.#publishing;
  }

  /**
   * Hands the sfu a fresh token for the joined table, keeping the ingest and its producer. Anything
   * that goes wrong (the socket dropped, the sfu restarted and forgot the peer) falls back to a
   * full publish.
   */
  async #refreshOnce(): Promise<void> {
    if (this.#closed || this.#publishing) return;
    const socket = this.#socket;
    if (!this.#published || !socket?.connected) {
      this.#schedule(0);
      return;
    }
    let grant: StreamGrant;
    try {
      grant = await this.#freshGrant();
    } catch (err) {
      // table-service is away: the token in hand may still be good; try again shortly.
      const left = (this.#grant?.expiresAt ?? 0) - Date.now();
      this.#log('grant refresh failed; retrying', { err: String(err), tokenLeftMs: left });
      this.#schedule(left > 3000 ? 1000 : 0, left > 3000 ? 'refresh' : 'publish');
      return;
    }
    try {
      const res = await sendSfuRequest(
        socket,
        'refreshToken',
        { token: grant.token, tableId: this.#opts.tableId },
        5000,
      );
      if (!res.ok) throw new Error(`refreshToken refused: ${res.error.code} ${res.error.message}`);
      this.emit('refreshed', { expiresAt: res.data.expiresAt });
      this.#schedule(refreshDelayMs(grant, this.#grantFetchedAt), 'refresh');
    } catch (err) {
      this.#log('token refresh failed; publishing again', { err: String(err) });
      this.#schedule(0);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.close();
    this.removeAllListeners();
  }
}

/**
 * The studio's client of table-service: it presents the studio's shared secret, which table-service
 * takes for publish grants, as a bearer that does not expire.
 */
function studioClient(baseUrl: string, studioSecret: string): TableServiceClient {
  const client = new TableServiceClient({ baseUrl, requestTimeoutMs: 5000 });
  client.useSession({ token: studioSecret, expiresAt: Number.MAX_SAFE_INTEGER });
  return client;
}
