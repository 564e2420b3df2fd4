import { sfuLiveTables } from '@live-casino/clients';
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TableId, TableSnapshot } from '@live-casino/protocol';
import { readPem, setErrorHandling } from '@live-casino/server-kit';
import { errorResponses } from './routes/errorResponses.js';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authPlugin } from './auth/authPlugin.js';
import { demoSeed } from './auth/demoSeed.js';
import { LocalLoginAttemptStore, RedisLoginAttemptStore } from './auth/LoginAttemptStore.js';
import { LoginLimits } from './auth/LoginLimits.js';
import { Players } from './auth/Players.js';
import { SessionTokens } from './auth/SessionTokens.js';
import { StaffDirectory } from './auth/StaffDirectory.js';
import { BetHistory } from './bets/BetHistory.js';
import { Chat } from './chat/Chat.js';
import { ChatModeration } from './chat/ChatModeration.js';
import { BetIntake } from './bets/BetIntake.js';
import { ViewerDelays } from './bets/ViewerDelays.js';
import { Cluster } from './cluster/Cluster.js';
import { clusterRoutes } from './cluster/clusterRoutes.js';
import { TableLeases } from './cluster/TableLeases.js';
import type { ServiceConfig } from './config.js';
import { Database } from './db/Database.js';
import { Ledger } from './Ledger.js';
import { createMetrics, metricsRoute } from './metrics.js';
import { Realtime } from './realtime/Realtime.js';
import { authRoutes, strictValidatorCompiler } from './routes/auth.js';
import { chatRoutes } from './routes/chat.js';
import { roundRoutes } from './routes/rounds.js';
import { tableRoutes } from './routes/tables.js';
import { LobbyView } from './lobby/LobbyView.js';
import { visionRoutes } from './routes/vision.js';
import { Rounds } from './rounds/Rounds.js';
import { VisionReadings } from './rounds/VisionReadings.js';
import { tableRulesOf } from './rounds/tableRules.js';
import type { TableRules } from './rounds/RoundTypes.js';
import { StreamTokenIssuer } from './StreamTokenIssuer.js';

export interface TableServiceOptions {
  config: ServiceConfig;
  log: Logger;
  /** Which tables have live video; defaults to asking the sfu. */
  liveTables?: () => Promise<ReadonlySet<string>>;
}

/**
 * table-service, assembled: Postgres and the ledger, rounds and bet intake, auth, the HTTP API
 * (OpenAPI at /docs) and realtime on one server. `close()` stops intake first, finishes in-flight
 * bets, then closes the pool.
 */
/** A public route and the schemas of its answers, by status code. */
export interface RouteSchema {
  method: string;
  url: string;
  response: Record<string, unknown> | undefined;
}

export class TableService {
  readonly app: FastifyInstance;
  /** Every public route with its response schemas (hidden ones, /health and /docs, left out). */
  readonly routeSchemas: readonly RouteSchema[];
  readonly db: Database;
  readonly ledger: Ledger;
  readonly rounds: Rounds;
  readonly readings: VisionReadings;
  readonly intake: BetIntake;
  readonly realtime: Realtime;
  readonly tables: ReadonlyMap<string, TableRules>;
  readonly leases: TableLeases;
  /**
   * The operators' listener (issue 10, point 7): /metrics and /v1/cluster, never on the public port.
   * Bound by `listenOps()` on OPS_HOST:OPS_PORT (loopback by default); tests may `inject` into it.
   */
  readonly ops: FastifyInstance;
  /** `http://host:port` of the ops listener once `listenOps()` has bound it. */
  opsUrl: string | undefined;
  readonly #opsAddress: { host: string; port: number };
  readonly #cluster: Cluster;
  #closed: Promise<void> | undefined;

  private constructor(parts: {
    app: FastifyInstance;
    routeSchemas: readonly RouteSchema[];
    db: Database;
    ledger: Ledger;
    rounds: Rounds;
    readings: VisionReadings;
    intake: BetIntake;
    realtime: Realtime;
    tables: ReadonlyMap<string, TableRules>;
    leases: TableLeases;
    cluster: Cluster;
    ops: FastifyInstance;
    opsAddress: { host: string; port: number };
  }) {
    this.app = parts.app;
    this.routeSchemas = parts.routeSchemas;
    this.db = parts.db;
    this.ledger = parts.ledger;
    this.rounds = parts.rounds;
    this.readings = parts.readings;
    this.intake = parts.intake;
    this.realtime = parts.realtime;
    this.tables = parts.tables;
    this.leases = parts.leases;
    this.#cluster = parts.cluster;
    this.ops = parts.ops;
    this.#opsAddress = parts.opsAddress;
  }

  static async create({ config, log, liveTables }: TableServiceOptions): Promise<TableService> {
    const db = await Database.create({
      databaseUrl: config.DATABASE_URL,
      dataDir: path.join(config.DATA_DIR, 'pg'),
      log,
      poolMax: config.DB_POOL_MAX,
    });
    let cluster: Cluster | undefined;
    let leases: TableLeases | undefined;
    let delays: ViewerDelays | undefined;
    try {
      cluster = await Cluster.create({ redisUrl: config.REDIS_URL, leaseMs: config.TABLE_LEASE_MS });
      const ledger = await Ledger.create({ pool: db.pool, log });
      const tables = new Map(config.tables.map((t) => [t.tableId, tableRulesOf(t, config.CURRENCY)]));
      const rounds = new Rounds(db, ledger, log, {
        vision: { minConfidence: config.VISION_MIN_CONFIDENCE, timeoutMs: config.VISION_TIMEOUT_MS },
      });
      const readings = new VisionReadings({ db, rounds, log });
      delays = ViewerDelays.create({ sfuInternalUrl: config.SFU_INTERNAL_URL, log });
      const intake = new BetIntake({ db, rounds, tables, delays, log });
      const players = new Players({ db, ledger, currency: config.CURRENCY });
      const staff = StaffDirectory.fromJson(config.STAFF_ACCOUNTS, { tableIds: tables.keys() });
      const sessions = await SessionTokens.fromPem(
        config.SESSION_TOKEN_PRIVATE_KEY
          ? await readPem(config.SESSION_TOKEN_PRIVATE_KEY, 'SESSION_TOKEN_PRIVATE_KEY')
          : await readPem(config.STREAM_TOKEN_PRIVATE_KEY, 'STREAM_TOKEN_PRIVATE_KEY'),
        config.SESSION_TOKEN_TTL_S,
        config.SESSION_MAX_AGE_S,
      );
      const issuer = await StreamTokenIssuer.create(
        await readPem(config.STREAM_TOKEN_PRIVATE_KEY, 'STREAM_TOKEN_PRIVATE_KEY'),
        config.STREAM_TOKEN_TTL_S,
      );
      if (config.DEMO_PLAYERS > 0) {
        await demoSeed(db, ledger, players, {
          currency: config.CURRENCY,
          count: config.DEMO_PLAYERS,
          balance: config.DEMO_BALANCE,
        });
      }

      // fastify's own logger type, so the instances are plain FastifyInstances (no casts).
      const fastifyLog: FastifyBaseLogger = log;
      const app = Fastify({
        loggerInstance: fastifyLog,
        bodyLimit: 16 * 1024,
        trustProxy: config.trustProxy,
      }).withTypeProvider<TypeBoxTypeProvider>();
      // What each public route answers, for the contract test (every answer is a protocol schema).
      const routeSchemas: RouteSchema[] = [];
      app.addHook('onRoute', (route) => {
        const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
        if (schema?.hide) return;
        for (const method of [route.method].flat()) {
          if (method !== 'HEAD') routeSchemas.push({ method, url: route.url, response: schema?.response });
        }
      });
      const metrics = createMetrics({
        tableIds: tables.keys(),
        realtimeConnections: () => realtime.io.engine.clientsCount,
        leases: () => leases,
      });
      metrics.observeRounds(rounds);
      metrics.observeVision(readings);
      metrics.observeHttp(app);
      // Wrong-typed input is refused, never coerced ("12" is not 12) and unknown fields are errors.
      app.setValidatorCompiler(strictValidatorCompiler);
      setErrorHandling(app);
      await app.register(fastifySwagger, {
        openapi: {
          info: { title: 'live-casino table-service', version: '0.2.0' },
          components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
        },
      });
      await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
      await app.register(authPlugin, { sessions });
      // Leases first: a table taken here is recovered before this node serves anything for it.
      leases = await TableLeases.create({
        store: cluster.store,
        db,
        rounds,
        tableIds: tables.keys(),
        nodeId: config.NODE_ID,
        leaseMs: config.TABLE_LEASE_MS,
        log,
      });
      metrics.observeLeases(leases);
      const ownedBy = leases;
      app.get('/health', { schema: { hide: true } }, async () => ({
        ok: true,
        nodeId: ownedBy.nodeId,
        ownedTables: ownedBy.ownedTables(),
      }));
      await app.register(authRoutes, {
        players,
        staff,
        sessions,
        ledger,
        rateLimit:
          config.AUTH_RATE_LIMIT_MAX > 0
            ? { max: config.AUTH_RATE_LIMIT_MAX, timeWindowMs: 60_000, redis: cluster.redis }
            : false,
        loginLimits: new LoginLimits({
          // In Redis with the cluster's, so a lock taken on one node holds on all of them.
          store: cluster.redis ? new RedisLoginAttemptStore(cluster.redis) : new LocalLoginAttemptStore(),
          policy: {
            accountMaxFailures: config.LOGIN_ACCOUNT_MAX_FAILURES,
            accountWindowMs: config.LOGIN_ACCOUNT_WINDOW_S * 1000,
            lockBaseMs: config.LOGIN_LOCK_BASE_S * 1000,
            lockMaxMs: config.LOGIN_LOCK_MAX_S * 1000,
            ipMaxFailures: config.LOGIN_IP_MAX_FAILURES,
            ipWindowMs: config.LOGIN_IP_WINDOW_S * 1000,
          },
          log,
        }),
      });
      const lobby = new LobbyView({
        liveTables: liveTables ?? (() => liveTablesOf(config.SFU_INTERNAL_URL)),
        roundsInPlay: () => rounds.inPlay(),
        watchers: () => intake.delays.watchers(),
        bettingWindowMs: (tableId) => tables.get(tableId)?.bettingWindowMs ?? 15_000,
      });
      await app.register(tableRoutes, { config, issuer, lobby });
      await app.register(roundRoutes, { rounds, intake, tables, history: new BetHistory(db) });
      await app.register(visionRoutes, { db, rounds, readings, tables });
      const chat = new Chat({
        db,
        tableIds: new Set(tables.keys()),
        moderation: ChatModeration.fromSetting(config.CHAT_BLOCKED_WORDS),
        messagesPerMin: config.CHAT_MESSAGES_PER_MIN,
        burst: config.CHAT_BURST,
      });
      await app.register(chatRoutes, {
        chat,
        onMuted: (mute) => realtime.notifyMuted(mute),
        onUnmuted: (unmute) => realtime.notifyUnmuted(unmute),
      });
      if (config.PLAYER_WEB_DIR && existsSync(config.PLAYER_WEB_DIR)) {
        await app.register(fastifyStatic, { root: path.resolve(config.PLAYER_WEB_DIR), prefix: '/' });
      }
      // Operators' endpoints on a listener of their own: worker internals and lease holders are
      // nobody else's business, and a scrape must not compete with players for the public port.
      const ops = Fastify({ loggerInstance: fastifyLog, bodyLimit: 1024 });
      setErrorHandling(ops);
      await ops.register(clusterRoutes, { leases });
      metricsRoute(ops, metrics.registry);
      ops.get('/health', async () => ({ ok: true, nodeId: ownedBy.nodeId, ownedTables: ownedBy.ownedTables() }));
      await ops.ready();
      const realtime = new Realtime({
        httpServer: app.server,
        db,
        rounds,
        intake,
        chat,
        sessions,
        tableIds: new Set(tables.keys()),
        log,
        adapter: cluster.adapter,
        metrics,
        rateLimits: {
          all: { ratePerS: config.SOCKET_EVENTS_PER_S, burst: config.SOCKET_EVENTS_BURST },
          placeBet: { ratePerS: config.SOCKET_BETS_PER_S, burst: config.SOCKET_BETS_BURST },
          cancelBet: { ratePerS: config.SOCKET_CANCELS_PER_S, burst: config.SOCKET_CANCELS_BURST },
          reportDelay: { ratePerS: config.SOCKET_DELAY_REPORTS_PER_S, burst: config.SOCKET_DELAY_REPORTS_BURST },
          sendChat: { ratePerS: config.CHAT_MESSAGES_PER_MIN / 60, burst: config.CHAT_BURST },
        },
      });
      app.get(
        '/v1/tables/:tableId/snapshot',
        {
          schema: {
            tags: ['rounds'],
            summary: 'The table as of a round-log sequence number, for clients that missed events',
            params: Type.Object({ tableId: TableId }),
            response: { 200: TableSnapshot, ...errorResponses },
          },
        },
        async (request) => realtime.snapshot(request.params.tableId),
      );
      await app.ready();
      return new TableService({
        app,
        routeSchemas,
        db,
        ledger,
        rounds,
        readings,
        intake,
        realtime,
        tables,
        leases,
        cluster,
        ops,
        opsAddress: { host: config.OPS_HOST, port: config.OPS_PORT },
      });
    } catch (err) {
      await leases?.close();
      await delays?.close();
      await cluster?.close();
      await db.close();
      throw err;
    }
  }

  /** Binds the ops listener on OPS_HOST:OPS_PORT (port 0: a free one) and answers its URL. */
  async listenOps(): Promise<string> {
    await this.ops.listen(this.#opsAddress);
    const address = this.ops.server.address();
    if (address === null || typeof address === 'string') throw new Error('ops listener has no TCP address');
    this.opsUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    return this.opsUrl;
  }

  /** Graceful: stop intake, finish in-flight bets, close sockets and HTTP, then the pool. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      // Released first, so another node takes the tables over at once rather than after the lease.
      await this.leases.close();
      await this.intake.close();
      await this.intake.delays.close();
      await this.realtime.close().catch(() => undefined);
      await this.app.close().catch(() => undefined);
      await this.ops.close().catch(() => undefined);
      await this.ledger.close();
      await this.#cluster.close();
      await this.db.close();
    })();
    return this.#closed;
  }
}

/** The tables live on the sfu; none when it cannot be asked (the lobby shows them as not live). */
async function liveTablesOf(sfuUrl: string): Promise<ReadonlySet<string>> {
  return sfuLiveTables(sfuUrl).catch(() => new Set<string>());
}
