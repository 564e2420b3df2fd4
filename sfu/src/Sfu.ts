import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  AppError,
  importStreamPublicKey,
  type SfuClientToServer,
  type SfuServerToClient,
  SfuStats as SfuStatsSchema,
  sfuThumbnailPath,
  type SfuStats,
  TableId,
  THUMBNAIL_STUDIO_TIME_HEADER,
  type ViewerDelaysResponse,
} from '@live-casino/protocol';
import { readPem, setErrorHandling } from '@live-casino/server-kit';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { SfuConfig } from './config.js';
import { HlsAccess, withSessionParam } from './HlsAccess.js';
import { HLS_PLAYLIST, HlsEgress } from './HlsEgress.js';
import { createMetrics, type SfuMetrics } from './metrics.js';
import { SignallingServer } from './signalling/SignallingServer.js';
import { TableMedia } from './TableMedia.js';
import type { TableMediaStats } from './TableMediaTypes.js';
import { Thumbnails } from './Thumbnails.js';
import { ViewerDelays } from './ViewerDelays.js';
import { WorkerPool } from './WorkerPool.js';

export type { SfuStats };

/**
 * The sfu process: a pool of mediasoup workers, the tables' media, socket.io signalling, HLS and
 * the lobby's stills over HTTP on the players' port; stats (JSON and Prometheus) and the viewers'
 * measured delays on a separate operations listener (loopback by default).
 */
export class Sfu {
  /** The players' listener: signalling, HLS and lobby stills. */
  readonly app: FastifyInstance;
  /** The operations listener: /stats, /metrics, /internal/viewer-delays. */
  readonly internalApp: FastifyInstance;
  readonly pool: WorkerPool;
  readonly #config: SfuConfig;
  readonly #log: Logger;
  readonly #tables = new Map<string, TableMedia>();
  readonly #pendingTables = new Map<string, Promise<TableMedia>>();
  readonly #metrics: SfuMetrics;
  readonly #delays = new ViewerDelays();
  readonly #thumbnails: Thumbnails;
  #hlsAccess!: HlsAccess;
  #delayPoll: NodeJS.Timeout | undefined;
  #measuring = false;
  #internalUrl: string | undefined;
  #io!: Server<SfuClientToServer, SfuServerToClient>;
  #signalling!: SignallingServer;
  #closed = false;

  private constructor(
    config: SfuConfig,
    log: Logger,
    pool: WorkerPool,
    app: FastifyInstance,
    internalApp: FastifyInstance,
  ) {
    this.#config = config;
    this.#log = log;
    this.pool = pool;
    this.app = app;
    this.internalApp = internalApp;
    this.#metrics = createMetrics(
      () => this.pool,
      () => this.#tableStats(),
    );
    pool.on('workerdied', (index) => this.#metrics.workerDeaths.inc({ worker: String(index) }));
    this.#thumbnails = new Thumbnails({
      ffmpegPath: config.FFMPEG_PATH,
      ttlMs: config.SFU_THUMBNAIL_TTL_MS,
      maxConcurrentDecodes: config.SFU_THUMBNAIL_MAX_DECODES,
      hlsOf: (tableId) => this.#tables.get(tableId)?.hls,
      // Several segments late: a feed that has stopped, not one a busy packager is behind on.
      stalledAfterMs: Math.max(10_000, 4 * config.SFU_HLS_SEGMENT_S * 1000),
      log,
      onDecoded: (outcome, seconds) => {
        this.#metrics.thumbnailDecodes.inc({ outcome });
        this.#metrics.thumbnailDecodeSeconds.observe(seconds);
      },
    });
  }

  static async create(config: SfuConfig, log: Logger): Promise<Sfu> {
    const publicKeyPem = await readPem(config.STREAM_TOKEN_PUBLIC_KEY, 'STREAM_TOKEN_PUBLIC_KEY');
    const publicKey = await importStreamPublicKey(publicKeyPem).catch(() => {
      throw new Error('STREAM_TOKEN_PUBLIC_KEY is not an Ed25519 SPKI PEM public key');
    });
    const pool = await WorkerPool.create({
      size: config.SFU_WORKERS,
      rtcMinPort: config.SFU_RTC_MIN_PORT,
      rtcMaxPort: config.SFU_RTC_MAX_PORT,
      log,
    });
    // fastify's own logger type, so the instances are plain FastifyInstances.
    const fastifyLog: FastifyBaseLogger = log;
    const app = Fastify({ loggerInstance: fastifyLog, bodyLimit: 64 * 1024 });
    const internalApp = Fastify({ loggerInstance: fastifyLog, bodyLimit: 1024 });
    const sfu = new Sfu(config, log, pool, app, internalApp);
    sfu.#hlsAccess = new HlsAccess(publicKey, config.SFU_HLS_SESSION_SECRET);
    sfu.#routes();
    sfu.#internalRoutes();
    await app.ready();
    await internalApp.ready();
    sfu.#io = new Server(app.server, {
      cors: { origin: true },
      maxHttpBufferSize: 64 * 1024,
      pingInterval: 10_000,
      pingTimeout: 10_000,
    });
    sfu.#signalling = new SignallingServer({
      io: sfu.#io,
      publicKey,
      getOrCreateTable: (id) => sfu.getOrCreateTable(id),
      findTable: (id) => sfu.#tables.get(id),
      metrics: sfu.#metrics,
      log,
      rateLimit: { burst: config.SFU_SIGNALLING_BURST, perSecond: config.SFU_SIGNALLING_RATE_PER_S },
      caps: {
        socketsPerSubject: config.SFU_MAX_SOCKETS_PER_SUB,
        transportsPerSubject: config.SFU_MAX_TRANSPORTS_PER_SUB,
        authTimeoutMs: config.SFU_SOCKET_AUTH_TIMEOUT_MS,
      },
    });
    sfu.#delayPoll = setInterval(() => void sfu.#measureWebRtcDelays(), config.SFU_VIEWER_DELAY_POLL_MS);
    sfu.#delayPoll.unref();
    return sfu;
  }

  /** Opens the players' listener and the operations listener; answers the players' address. */
  async listen(): Promise<string> {
    const address = await this.app.listen({ host: this.#config.SFU_HOST, port: this.#config.SFU_PORT });
    this.#internalUrl = await this.internalApp.listen({
      host: this.#config.SFU_INTERNAL_HOST,
      port: this.#config.SFU_INTERNAL_PORT,
    });
    return address;
  }

  /** The operations listener's address, once listening. */
  get internalUrl(): string {
    if (!this.#internalUrl) throw new Error('the sfu is not listening');
    return this.#internalUrl;
  }

  get tables(): ReadonlyMap<string, TableMedia> {
    return this.#tables;
  }

  /** Concurrent first joins of a table share one creation (never two origin routers). */
  async getOrCreateTable(tableId: string): Promise<TableMedia> {
    if (this.#closed) throw new AppError('SERVICE_UNAVAILABLE', 'sfu is shutting down');
    const existing = this.#tables.get(tableId);
    if (existing) return existing;
    let pending = this.#pendingTables.get(tableId);
    if (!pending) {
      pending = TableMedia.create({
        tableId,
        pool: this.pool,
        log: this.#log,
        mediaIp: this.#config.SFU_MEDIA_IP,
        announcedIp: this.#config.SFU_ANNOUNCED_IP,
        viewersPerRouter: this.#config.SFU_VIEWERS_PER_ROUTER,
        maxTransportsPerPeer: this.#config.SFU_MAX_TRANSPORTS_PER_PEER,
        egressMaxPerTable: this.#config.SFU_EGRESS_MAX_PER_TABLE,
        egressAllowRemote: this.#config.SFU_EGRESS_ALLOW_REMOTE,
        ...(this.#config.SFU_HLS_ENABLED
          ? {
              createHls: (table, router, producer) =>
                HlsEgress.create({
                  tableId,
                  router,
                  producer,
                  clockOf: () => table.clockOf(producer.id),
                  dir: path.join(this.#config.SFU_HLS_DIR, tableId),
                  ffmpegPath: this.#config.FFMPEG_PATH,
                  segmentSeconds: this.#config.SFU_HLS_SEGMENT_S,
                  listSize: this.#config.SFU_HLS_LIST_SIZE,
                  log: this.#log.child({ tableId }),
                }),
            }
          : {}),
      })
        .then((table) => {
          this.#tables.set(tableId, table);
          this.#signalling.attachTable(table);
          table.once('closed', () => {
            this.#tables.delete(tableId);
            this.#thumbnails.forget(tableId);
          });
          return table;
        })
        .finally(() => this.#pendingTables.delete(tableId));
      this.#pendingTables.set(tableId, pending);
    }
    return pending;
  }

  async stats(): Promise<SfuStats> {
    return {
      workers: this.pool.workers.map((w) => ({
        index: w.index,
        pid: w.worker.pid,
        cpuPercent: Math.round(w.cpuPercent * 10) / 10,
        routers: w.routers,
        alive: !w.worker.closed,
      })),
      tables: await this.#tableStats(),
    };
  }

  async #tableStats(): Promise<TableMediaStats[]> {
    return Promise.all([...this.#tables.values()].map((t) => t.stats()));
  }

  /** The measured delays of the viewers seen in the last 10 s (what table-service sizes late bets by). */
  viewerDelays(): ViewerDelaysResponse {
    return { viewers: this.#delays.list(Date.now()) };
  }

  /** One WebRTC delay per (player, table): a player on several sockets gets the largest. */
  async #measureWebRtcDelays(): Promise<void> {
    if (this.#measuring || this.#closed) return;
    this.#measuring = true;
    try {
      for (const table of [...this.#tables.values()]) {
        const measured = await table.measureWebRtcDelays(this.#config.SFU_WEBRTC_PLAYOUT_MARGIN_MS);
        const worst = new Map<string, number>();
        for (const m of measured) worst.set(m.subject, Math.max(worst.get(m.subject) ?? 0, m.delayMs));
        const now = Date.now();
        for (const [subject, delayMs] of worst) this.#delays.recordWebRtc(subject, table.tableId, delayMs, now);
      }
      this.#delays.prune(Date.now());
    } catch (err) {
      this.#log.warn({ err }, 'viewer delay measurement failed');
    } finally {
      this.#measuring = false;
    }
  }

  #internalRoutes(): void {
    const app = this.internalApp;
    setErrorHandling(app);
    app.get('/health', async () => ({ ok: true, workers: this.pool.workers.filter((w) => !w.worker.closed).length }));
    app.get('/stats', { schema: { response: { 200: SfuStatsSchema } } }, async () => this.stats());
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', this.#metrics.registry.contentType);
      return this.#metrics.registry.metrics();
    });
    app.get('/internal/viewer-delays', async () => this.viewerDelays());
  }

  #routes(): void {
    const app = this.app;
    setErrorHandling(app);
    // hls.js and the lobby on the player's origin must be able to read error answers too (TABLE_NOT_LIVE).
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/hls/')) reply.header('access-control-allow-origin', '*');
      if (request.url.startsWith('/thumbs/')) {
        reply.header('access-control-allow-origin', '*');
        reply.header('access-control-expose-headers', THUMBNAIL_STUDIO_TIME_HEADER);
      }
    });
    app.get('/health', async () => ({ ok: true }));
    app.get(
      '/hls/:tableId/:file',
      {
        schema: {
          params: Type.Object({
            tableId: TableId,
            file: Type.String({ pattern: '^(index\\.m3u8|seg-[a-z0-9]+-[0-9]+-[0-9]{6}\\.ts)$' }),
          }),
          querystring: Type.Object({
            /** A view stream token (the grant's hlsUrl carries it). */
            t: Type.Optional(Type.String({ maxLength: 4096 })),
            /** The session parameter the sfu put on segment URIs (see HlsAccess). */
            s: Type.Optional(Type.String({ maxLength: 512 })),
          }),
        },
      },
      async (request, reply) => {
        const { tableId, file } = request.params as { tableId: string; file: string };
        const query = request.query as { t?: string; s?: string };
        const now = Date.now();
        // Who is asking is settled before anything about the table is told.
        if (file === HLS_PLAYLIST) {
          const { session } = await this.#hlsAccess.authorizePlaylist(tableId, query.t);
          const { full } = await this.#hlsFile(tableId, file);
          reply.header('cache-control', 'no-cache, no-store');
          reply.type('application/vnd.apple.mpegurl');
          return withSessionParam(await readFile(full, 'utf8'), session);
        }
        const viewer = await this.#hlsAccess.authorizeSegment(tableId, query, now);
        const { hls, full, size } = await this.#hlsFile(tableId, file);
        const studioStartMs = hls.segmentStudioStartMs(file);
        if (studioStartMs !== undefined) this.#delays.recordHlsFetch(viewer.subject, tableId, studioStartMs, now);
        // The URL holds the session: cacheable for that session only, never past its expiry.
        const maxAge = Math.max(0, Math.min(60, Math.floor((viewer.expiresAtMs - now) / 1000)));
        reply.header('cache-control', `private, max-age=${maxAge}, immutable`);
        reply.header('content-length', size);
        reply.type('video/mp2t');
        return reply.send(createReadStream(full));
      },
    );
    this.#thumbnailRoute();
  }

  /**
   * The lobby's still of a table. No token: it is the first frame of the newest segment the HLS
   * playlist already lists, so it never shows more than the HLS stream a signed-in player gets
   * (itself behind WebRTC): watching stills gains nobody time on a round.
   */
  #thumbnailRoute(): void {
    const maxAgeS = Math.floor(this.#config.SFU_THUMBNAIL_TTL_MS / 1000);
    this.app.get(
      // '/thumbs/:tableId.jpg': the route is the contract's path, so the two cannot drift.
      sfuThumbnailPath(':tableId'),
      { schema: { params: Type.Object({ tableId: TableId }) } },
      async (request, reply) => {
        const { tableId } = request.params as { tableId: string };
        const still = await this.#thumbnails.get(tableId);
        reply.header('cache-control', `public, max-age=${maxAgeS}`);
        reply.header(THUMBNAIL_STUDIO_TIME_HEADER, String(Math.round(still.studioStartMs)));
        reply.type('image/jpeg');
        return still.jpeg;
      },
    );
  }

  async #hlsFile(tableId: string, file: string): Promise<{ hls: HlsEgress; full: string; size: number }> {
    const hls = this.#tables.get(tableId)?.hls;
    if (!hls) throw new AppError('TABLE_NOT_LIVE', `table ${tableId} has no HLS stream`);
    const full = path.join(path.dirname(hls.playlistPath), file);
    const info = await stat(full).catch(() => undefined);
    if (!info) throw new AppError('TABLE_NOT_LIVE', `${file} is not available`);
    return { hls, full, size: info.size };
  }

  /** Graceful: stop signalling, close tables (and their ffmpeg), then the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#delayPoll);
    this.#thumbnails.close();
    this.#signalling.close();
    await new Promise<void>((resolve) => this.#io.close(() => resolve()));
    await Promise.all([...this.#tables.values()].map((t) => t.close()));
    this.pool.close();
    await this.app.close().catch(() => undefined);
    await this.internalApp.close().catch(() => undefined);
  }
}
