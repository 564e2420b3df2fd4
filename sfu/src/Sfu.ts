import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  AppError,
  importStreamPublicKey,
  type SfuClientToServer,
  type SfuServerToClient,
  TableId,
  toErrorBody,
} from '@live-casino/protocol';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import type { SfuConfig } from './config.js';
import { HLS_PLAYLIST, HlsEgress } from './HlsEgress.js';
import { createMetrics, type SfuMetrics } from './metrics.js';
import { SignallingServer } from './signalling/SignallingServer.js';
import { TableMedia } from './TableMedia.js';
import type { TableMediaStats } from './TableMediaTypes.js';
import { WorkerPool } from './WorkerPool.js';

export interface SfuStats {
  workers: { index: number; pid: number; cpuPercent: number; routers: number; alive: boolean }[];
  tables: TableMediaStats[];
}

/**
 * The sfu process: a pool of mediasoup workers, the tables' media, socket.io signalling, HLS over
 * HTTP, and stats (JSON and Prometheus) on one fastify server.
 */
export class Sfu {
  readonly app: FastifyInstance;
  readonly pool: WorkerPool;
  readonly #config: SfuConfig;
  readonly #log: Logger;
  readonly #tables = new Map<string, TableMedia>();
  readonly #pendingTables = new Map<string, Promise<TableMedia>>();
  readonly #metrics: SfuMetrics;
  #io!: Server<SfuClientToServer, SfuServerToClient>;
  #signalling!: SignallingServer;
  #closed = false;

  private constructor(config: SfuConfig, log: Logger, pool: WorkerPool, app: FastifyInstance) {
    this.#config = config;
    this.#log = log;
    this.pool = pool;
    this.app = app;
    this.#metrics = createMetrics(
      () => this.pool,
      () => this.#tableStats(),
    );
    pool.on('workerdied', (index) => this.#metrics.workerDeaths.inc({ worker: String(index) }));
  }

  static async create(config: SfuConfig, log: Logger): Promise<Sfu> {
    const publicKeyPem = await readKey(config.STREAM_TOKEN_PUBLIC_KEY);
    const publicKey = await importStreamPublicKey(publicKeyPem).catch(() => {
      throw new Error('STREAM_TOKEN_PUBLIC_KEY is not an Ed25519 SPKI PEM public key');
    });
    const pool = await WorkerPool.create({
      size: config.SFU_WORKERS,
      rtcMinPort: config.SFU_RTC_MIN_PORT,
      rtcMaxPort: config.SFU_RTC_MAX_PORT,
      log,
    });
    const app = Fastify({ loggerInstance: log, bodyLimit: 64 * 1024 }) as unknown as FastifyInstance;
    const sfu = new Sfu(config, log, pool, app);
    sfu.#routes();
    await app.ready();
    sfu.#io = new Server(app.server, {
      cors: { origin: true },
      maxHttpBufferSize: 64 * 1024,
      pingInterval: 10_000,
      pingTimeout: 10_000,
    });
    sfu.#signalling = new SignallingServer({
      io: sfu.#io as never,
      publicKey,
      getOrCreateTable: (id) => sfu.getOrCreateTable(id),
      findTable: (id) => sfu.#tables.get(id),
      metrics: sfu.#metrics,
      log,
      rateLimit: { burst: config.SFU_SIGNALLING_BURST, perSecond: config.SFU_SIGNALLING_RATE_PER_S },
    });
    return sfu;
  }

  async listen(): Promise<string> {
    return this.app.listen({ host: this.#config.SFU_HOST, port: this.#config.SFU_PORT });
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
          table.once('closed', () => this.#tables.delete(tableId));
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

  #routes(): void {
    const app = this.app;
    app.setErrorHandler((err, request, reply) => {
      if (err instanceof AppError) return reply.status(err.status).send(err.toBody());
      const e = err as { validation?: unknown; statusCode?: number; message: string };
      if (e.validation) return reply.status(400).send({ code: 'BAD_REQUEST', message: e.message });
      if (e.statusCode === 413) return reply.status(413).send({ code: 'PAYLOAD_TOO_LARGE', message: 'body too large' });
      request.log.error({ err }, 'request failed');
      return reply.status(500).send(toErrorBody(err));
    });
    // hls.js on the player's origin must be able to read error answers too (TABLE_NOT_LIVE).
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/hls/')) reply.header('access-control-allow-origin', '*');
    });
    app.setNotFoundHandler((request, reply) =>
      reply
        .status(404)
        .send({ code: 'ROUTE_NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
    );
    app.get('/health', async () => ({ ok: true, workers: this.pool.workers.filter((w) => !w.worker.closed).length }));
    app.get('/stats', async () => this.stats());
    app.get('/metrics', async (_req, reply) => {
      reply.header('content-type', this.#metrics.registry.contentType);
      return this.#metrics.registry.metrics();
    });
    app.get(
      '/hls/:tableId/:file',
      {
        schema: {
          params: Type.Object({
            tableId: TableId,
            file: Type.String({ pattern: '^(index\\.m3u8|seg-[a-z0-9]+-[0-9]+-[0-9]{6}\\.ts)$' }),
          }),
        },
      },
      async (request, reply) => {
        const { tableId, file } = request.params as { tableId: string; file: string };
        const table = this.#tables.get(tableId);
        if (!table?.hls) throw new AppError('TABLE_NOT_LIVE', `table ${tableId} has no HLS stream`);
        const full = path.join(path.dirname(table.hls.playlistPath), file);
        const info = await stat(full).catch(() => undefined);
        if (!info) throw new AppError('TABLE_NOT_LIVE', `${file} is not available`);
        if (file === HLS_PLAYLIST) {
          reply.header('cache-control', 'no-cache, no-store');
          reply.type('application/vnd.apple.mpegurl');
          return readFile(full, 'utf8');
        }
        reply.header('cache-control', 'public, max-age=60, immutable');
        reply.header('content-length', info.size);
        reply.type('video/mp2t');
        return reply.send(createReadStream(full));
      },
    );
  }

  /** Graceful: stop signalling, close tables (and their ffmpeg), then the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.#io.close(() => resolve()));
    await Promise.all([...this.#tables.values()].map((t) => t.close()));
    this.pool.close();
    await this.app.close().catch(() => undefined);
  }
}

async function readKey(value: string): Promise<string> {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return await readFile(value, 'utf8');
  } catch {
    throw new Error(`STREAM_TOKEN_PUBLIC_KEY: cannot read key file ${value}`);
  }
}
