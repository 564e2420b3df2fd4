import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createRegistry } from '@live-casino/server-kit';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TableLeases } from './cluster/TableLeases.js';
import type { Rounds } from './rounds/Rounds.js';
import type { VisionReadings } from './rounds/VisionReadings.js';

export type BetTransport = 'http' | 'socket';

export interface TableMetrics {
  registry: Registry;
  bets: Counter<'table' | 'outcome'>;
  betAckSeconds: Histogram<'transport'>;
  roundTransitions: Counter<'table' | 'state'>;
  leaseEvents: Counter<'event'>;
  httpRequests: Counter<'route' | 'status'>;
  alerts: Counter<'table' | 'kind' | 'reason'>;
  visionReadings: Counter<'table' | 'outcome'>;
  /**
   * One bet answered: outcome 'placed' or the error code. The table comes from the answer, else
   * from the round ids this node has seen in round events, else 'unknown'.
   */
  betDone(transport: BetTransport, seconds: number, roundId: unknown, outcome: string, tableId?: string): void;
  /** Counts transitions, rounds in play and alerts raised from this node's round events. */
  observeRounds(rounds: Rounds): void;
  /** Counts vision readings taken on this node, by outcome. */
  observeVision(readings: VisionReadings): void;
  observeLeases(leases: TableLeases): void;
  /** table_http_requests_total for every route, and bet metrics for POST /v1/bets. */
  observeHttp(app: FastifyInstance): void;
}

const TERMINAL = new Set(['SETTLED', 'VOIDED']);
/** Round id → table id, kept to label refused bets; bounded, oldest forgotten first. */
const ROUND_TABLES_MAX = 10_000;

/**
 * Prometheus metrics of table-service. Labels stay bounded: tables come from the configuration
 * (anything else is 'unknown'), outcomes are error codes, routes are route patterns.
 */
export function createMetrics(opts: {
  tableIds: Iterable<string>;
  /** Read at scrape time (the realtime server exists only once the app is assembled). */
  realtimeConnections: () => number;
  leases: () => TableLeases | undefined;
}): TableMetrics {
  const tableIds = new Set(opts.tableIds);
  const tableLabel = (tableId: string | undefined): string =>
    tableId !== undefined && tableIds.has(tableId) ? tableId : 'unknown';
  const registry = createRegistry({ processMetrics: true });

  const bets = new Counter({
    name: 'table_bets_total',
    help: 'Bets answered, by table and outcome (placed or the error code)',
    labelNames: ['table', 'outcome'] as const,
    registers: [registry],
  });
  const betAckSeconds = new Histogram({
    name: 'table_bet_ack_seconds',
    help: 'Time from a bet request to its answer, by transport (http or socket)',
    labelNames: ['transport'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const roundTransitions = new Counter({
    name: 'table_round_transitions_total',
    help: 'Round transitions made on this node, by table and the state entered',
    labelNames: ['table', 'state'] as const,
    registers: [registry],
  });
  const inPlay = new Map<string, Set<string>>([...tableIds].map((t) => [t, new Set<string>()]));
  new Gauge({
    name: 'table_rounds_in_play',
    help: 'Rounds neither settled nor voided, as seen in this node’s round events',
    labelNames: ['table'] as const,
    registers: [registry],
    collect() {
      for (const [table, rounds] of inPlay) this.set({ table }, rounds.size);
    },
  });
  new Gauge({
    name: 'table_leases_owned',
    help: 'Tables this node holds the lease of and acts for',
    registers: [registry],
    collect() {
      this.set(opts.leases()?.ownedTables().length ?? 0);
    },
  });
  const leaseEvents = new Counter({
    name: 'table_lease_events_total',
    help: 'Table lease events on this node (acquired, recovered, lost, released, autosettled)',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'table_realtime_connections',
    help: 'Open socket.io connections',
    registers: [registry],
    collect() {
      this.set(opts.realtimeConnections());
    },
  });
  const httpRequests = new Counter({
    name: 'table_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });

  const alerts = new Counter({
    name: 'table_alerts_total',
    help: 'Alerts raised on this node for pit bosses (rounds held by the vision cross-check), by table, kind and reason',
    labelNames: ['table', 'kind', 'reason'] as const,
    registers: [registry],
  });
  const visionReadings = new Counter({
    name: 'table_vision_readings_total',
    help: 'Vision readings taken on this node, by table and outcome (attributed to a round, ignored, replayed)',
    labelNames: ['table', 'outcome'] as const,
    registers: [registry],
  });

  const roundTables = new Map<string, string>();
  const rememberRound = (roundId: string, tableId: string): void => {
    if (roundTables.has(roundId)) return;
    roundTables.set(roundId, tableId);
    if (roundTables.size > ROUND_TABLES_MAX) roundTables.delete(roundTables.keys().next().value!);
  };

  const betDone: TableMetrics['betDone'] = (transport, seconds, roundId, outcome, tableId) => {
    const table = tableId ?? (typeof roundId === 'string' ? roundTables.get(roundId) : undefined);
    bets.inc({ table: tableLabel(table), outcome });
    betAckSeconds.observe({ transport }, seconds);
  };

  return {
    registry,
    bets,
    betAckSeconds,
    roundTransitions,
    leaseEvents,
    httpRequests,
    alerts,
    visionReadings,
    betDone,
    observeRounds(rounds) {
      rounds.on('alert', (alert) => {
        if (alert.resolvedAtMs !== null) return;
        const reason = (alert.details as { reason?: unknown } | null)?.reason;
        alerts.inc({
          table: tableLabel(alert.tableId),
          kind: alert.kind,
          reason: typeof reason === 'string' ? reason : 'none',
        });
      });
      rounds.on('event', ({ tableId, event, round }) => {
        const table = tableLabel(tableId);
        // A hold (RESULT_HELD) is logged and pushed like a transition but leaves the state as it was.
        if (event === round.state) roundTransitions.inc({ table, state: round.state });
        rememberRound(round.roundId, tableId);
        const live = inPlay.get(table) ?? new Set<string>();
        inPlay.set(table, live);
        if (TERMINAL.has(round.state)) live.delete(round.roundId);
        else live.add(round.roundId);
      });
    },
    observeVision(readings) {
      readings.on('reading', ({ tableId, outcome }) => visionReadings.inc({ table: tableLabel(tableId), outcome }));
    },
    observeLeases(leases) {
      // TableLeases.create takes (and recovers) its first tables before anyone can listen.
      const atStart = leases.ownedTables().length;
      if (atStart > 0) {
        leaseEvents.inc({ event: 'acquired' }, atStart);
        leaseEvents.inc({ event: 'recovered' }, atStart);
      }
      for (const event of ['acquired', 'recovered', 'lost', 'released', 'autosettled'] as const) {
        leases.on(event, () => leaseEvents.inc({ event }));
      }
    },
    observeHttp(app) {
      // The answer of a bet, read from the body sent (the error handler's { code } or the bet).
      const betAnswers = new WeakMap<FastifyRequest, { code?: unknown; tableId?: unknown }>();
      const isBet = (request: FastifyRequest): boolean =>
        request.method === 'POST' && request.routeOptions.url === '/v1/bets';
      app.addHook('onSend', async (request, _reply, payload) => {
        if (isBet(request) && typeof payload === 'string') {
          try {
            betAnswers.set(request, JSON.parse(payload) as { code?: unknown; tableId?: unknown });
          } catch {
            // Not JSON: counted with the status alone.
          }
        }
        return payload;
      });
      app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
        httpRequests.inc({ route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
        if (!isBet(request)) return;
        const answer = betAnswers.get(request);
        const outcome =
          reply.statusCode === 201
            ? 'placed'
            : typeof answer?.code === 'string'
              ? answer.code
              : `HTTP_${reply.statusCode}`;
        const tableId = typeof answer?.tableId === 'string' ? answer.tableId : undefined;
        betDone(
          'http',
          reply.elapsedTime / 1000,
          (request.body as { roundId?: unknown } | undefined)?.roundId,
          outcome,
          tableId,
        );
      });
    },
  };
}

/** GET /metrics in the Prometheus text format; hidden from the OpenAPI document. */
export function metricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
