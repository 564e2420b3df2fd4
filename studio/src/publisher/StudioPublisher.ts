import { EventEmitter } from 'node:events';
import type { SfuAck, SfuClientToServer, SfuServerToClient, StreamGrant } from '@live-casino/protocol';
import { io, type Socket } from 'socket.io-client';

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
  feed: RtpSource;
  log?: (msg: string, extra?: Record<string, unknown>) => void;
}

export type StudioPublisherEvents = {
  published: [{ ip: string; port: number; producerId: string }];
  error: [Error];
};

/**
 * Keeps a studio feed published into the sfu: asks table-service for a publish grant, opens an
 * RTP ingest through signalling, points the feed at it, and does it all again whenever the sfu
 * says the table's media was rebuilt, the connection comes back, or the token is near expiry.
 */
export class StudioPublisher extends EventEmitter<StudioPublisherEvents> {
  readonly #opts: StudioPublisherOptions;
  #socket: Socket<SfuServerToClient, SfuClientToServer> | undefined;
  #grant: StreamGrant | undefined;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #publishing: Promise<void> | undefined;

  private constructor(opts: StudioPublisherOptions) {
    super();
    this.#opts = opts;
  }

  static async create(opts: StudioPublisherOptions): Promise<StudioPublisher> {
    const publisher = new StudioPublisher(opts);
    publisher.#schedule(0);
    return publisher;
  }

  #log(msg: string, extra?: Record<string, unknown>): void {
    this.#opts.log?.(msg, { tableId: this.#opts.tableId, ...extra });
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#publishOnce(), delayMs);
  }

  async #fetchGrant(): Promise<StreamGrant> {
    const res = await fetch(`${this.#opts.tableServiceUrl}/v1/stream-grants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#opts.studioSecret}` },
      body: JSON.stringify({ tableId: this.#opts.tableId, role: 'publish' }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`stream grant refused: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as StreamGrant;
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
        if (!this.#grant || this.#grant.expiresAt - Date.now() < 60_000) this.#grant = await this.#fetchGrant();
        const grant = this.#grant;
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
        const joined = (await socket.timeout(5000).emitWithAck('join', common)) as SfuAck<unknown>;
        if (!joined.ok) throw new Error(`join refused: ${joined.error.code} ${joined.error.message}`);
        const res = (await socket.timeout(5000).emitWithAck('publishRtp', {
          ...common,
          source: this.#opts.source,
          kind: 'video',
          rtpParameters: this.#opts.feed.rtpParameters,
        })) as SfuAck<{ ip: string; port: number; producerId: string }>;
        if (!res.ok) throw new Error(`publishRtp refused: ${res.error.code} ${res.error.message}`);
        await this.#opts.feed.setTarget({ host: res.data.ip, port: res.data.port });
        this.#attempt = 0;
        this.#log('published', { ...res.data });
        this.emit('published', res.data);
        // Refresh the grant before it expires so a later re-publish never waits on a dead token.
        this.#schedule(Math.max(5_000, grant.expiresAt - Date.now() - 60_000));
      } catch (err) {
        this.#attempt++;
        const delay = Math.min(5000, 250 * 2 ** Math.min(this.#attempt, 5));
        this.#log('publish failed; retrying', { err: String(err), retryInMs: delay });
        this.#schedule(delay);
      } finally {
        this.#publishing = undefined;
      }
    })();
    await this.#publishing;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#socket?.close();
    this.removeAllListeners();
  }
}
