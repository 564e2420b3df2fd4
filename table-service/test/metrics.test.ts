import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import type { TableAck } from '@live-casino/protocol';
import { Redis } from 'ioredis';
import { waitFor } from '@live-casino/testing';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableService } from '../src/TableService.js';
import { hashPassword } from '../src/auth/Passwords.js';
import { loadConfig } from '../src/config.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { REDIS_URL, redisForSuite } from './helpers/redis.js';
import { startTestService, type TestService } from './helpers/service.js';

/** The value of one series in the Prometheus text format (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  let server: TestPostgres;
  let service: TestService;
  let svc: TableService;
  let url: string;
  let dealer: string;
  let player: string;

  const inject: TestService['inject'] = (method, path, token, body) => service.inject(method, path, token, body);

  beforeAll(async () => {
    server = await startTestPostgres();
    service = await startTestService(server, {
      staff: [{ id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', password: 'dealer-password' }],
      demoPlayers: 1,
    });
    ({ svc, url } = service);
    dealer = await service.staffToken('dealer-1', 'dealer-password');
    player = await service.playerToken('demo1');
  });
  afterAll(async () => {
    await svc?.close();
    await server?.close();
  });

  it('counts bets over HTTP and socket, round transitions, leases, connections and HTTP requests', async () => {
    const socket: Socket = io(url, { transports: ['websocket'], auth: { token: player }, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));

    const opened = await inject('POST', '/v1/tables/roulette-1/rounds', dealer, {
      opensAtStudioMs: Date.now() - 20_000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;

    const httpBet = await inject('POST', '/v1/bets', player, {
      clientBetId: 'h1',
      roundId,
      bet: { type: 'red' },
      stake: 1000,
    });
    expect(httpBet.status).toBe(201);
    const socketBet = (await socket.emitWithAck('placeBet', {
      clientBetId: 's1',
      roundId,
      bet: { type: 'red' },
      stake: 500,
    })) as TableAck<unknown>;
    expect(socketBet.ok).toBe(true);
    // Refused: too much for the wallet (HTTP) and a malformed bet (socket).
    const poor = await inject('POST', '/v1/bets', player, {
      clientBetId: 'h2',
      roundId,
      bet: { type: 'red' },
      stake: 10_000_000,
    });
    expect(poor.status).toBeGreaterThanOrEqual(400);
    const bad = (await socket.emitWithAck('placeBet', {
      clientBetId: 's2',
      roundId,
      bet: { type: 'nope' },
      stake: 5,
    })) as TableAck<unknown>;
    expect(bad.ok).toBe(false);

    let res = await svc.ops.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    let text = res.body;
    expect(sample(text, 'table_rounds_in_play{table="roulette-1"}')).toBe(1);
    expect(sample(text, 'table_realtime_connections')).toBe(1);

    expect((await inject('POST', `/v1/rounds/${roundId}/close`, dealer, { closesAtStudioMs: Date.now() })).status).toBe(
      200,
    );
    expect((await inject('POST', `/v1/rounds/${roundId}/void`, dealer, { reason: 'test' })).status).toBe(403);
    socket.close();
    // The server sees the disconnect a moment later: wait for it rather than for a fixed time.
    await waitFor('the disconnect', () => (svc.realtime.io.engine.clientsCount === 0 ? true : undefined), 10_000);

    res = await svc.ops.inject({ method: 'GET', url: '/metrics' });
    text = res.body;
    expect(sample(text, 'table_bets_total{table="roulette-1",outcome="placed"}')).toBe(2);
    expect(sample(text, `table_bets_total{table="roulette-1",outcome="${poor.body.code}"}`)).toBe(1);
    expect(sample(text, `table_bets_total{table="roulette-1",outcome="${bad.ok ? '' : bad.error.code}"}`)).toBe(1);
    expect(sample(text, 'table_bet_ack_seconds_count{transport="http"}')).toBe(2);
    expect(sample(text, 'table_bet_ack_seconds_count{transport="socket"}')).toBe(2);
    expect(sample(text, 'table_round_transitions_total{table="roulette-1",state="BETTING_OPEN"}')).toBe(1);
    expect(sample(text, 'table_round_transitions_total{table="roulette-1",state="BETTING_CLOSED"}')).toBe(1);
    expect(sample(text, 'table_rounds_in_play{table="roulette-1"}')).toBe(1);
    expect(sample(text, 'table_rounds_in_play{table="baccarat-1"}')).toBe(0);
    expect(sample(text, 'table_leases_owned')).toBe(svc.tables.size);
    expect(sample(text, 'table_lease_events_total{event="acquired"}')).toBe(svc.tables.size);
    expect(sample(text, 'table_realtime_connections')).toBe(0);
    // Route patterns, never raw URLs.
    expect(sample(text, 'table_http_requests_total{route="/v1/bets",status="201"}')).toBe(1);
    expect(sample(text, 'table_http_requests_total{route="/v1/rounds/:roundId/close",status="200"}')).toBe(1);
    expect(sample(text, 'table_http_requests_total{route="/v1/rounds/:roundId/void",status="403"}')).toBe(1);
    // Public requests only: scrapes go to the ops listener.
    expect(text).not.toContain('route="/metrics"');
    expect(text).not.toContain(roundId);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');

    // Hidden from the OpenAPI document.
    const spec = await inject('GET', '/docs/json');
    expect(spec.status).toBe(200);
    expect(Object.keys(spec.body.paths)).not.toContain('/metrics');
  });
});

describe.skipIf(!(await redisForSuite('metrics: auth rate limit with REDIS_URL')))(
  'auth rate limit with REDIS_URL',
  () => {
    let server: TestPostgres;
    const nodes: TableService[] = [];

    afterAll(async () => {
      for (const n of nodes) await n.close();
      await server?.close();
    });

    it('holds across nodes: counts are kept in Redis', async () => {
      server = await startTestPostgres();
      const db = await server.freshDatabase();
      const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
      await db.close();
      const redis = new Redis(REDIS_URL);
      const stale = await redis.keys('table-service:auth-rate-limit:*');
      if (stale.length > 0) await redis.del(...stale);
      redis.disconnect();
      const { privateKey } = generateKeyPairSync('ed25519');
      const suffix = Math.random().toString(36).slice(2, 8);
      const env = {
        STREAM_TOKEN_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        STUDIO_SERVICE_SECRET: 'x'.repeat(32),
        DATABASE_URL: server.url(rows[0]!.db),
        STAFF_ACCOUNTS: JSON.stringify([{ id: 'boss', role: 'pitboss', passwordHash: await hashPassword('boss-pw') }]),
        TABLES: JSON.stringify([{ tableId: `rl-roulette-${suffix}`, name: 'Rate limit roulette', game: 'roulette' }]),
        AUTH_RATE_LIMIT_MAX: '2',
        REDIS_URL,
        PORT: '0',
      };
      for (const NODE_ID of ['rl-a', 'rl-b']) {
        nodes.push(
          await TableService.create({
            config: loadConfig({ ...env, NODE_ID }),
            log: pino({ level: 'silent' }),
            liveTables: async () => new Set(),
          }),
        );
      }
      // Sign-ups: logins have their own limits on failures (loginLimits.test.ts).
      let n = 0;
      const signup = (node: TableService) =>
        node.app.inject({
          method: 'POST',
          url: '/v1/auth/signup',
          payload: { username: `rl_${suffix}_${n++}`, password: 'password-1' },
        });
      expect((await signup(nodes[0]!)).statusCode).toBe(201);
      expect((await signup(nodes[1]!)).statusCode).toBe(201);
      const third = await signup(nodes[0]!);
      expect(third.statusCode).toBe(429);
      expect(JSON.parse(third.body).code).toBe('RATE_LIMITED');
      expect((await signup(nodes[1]!)).statusCode).toBe(429);
    }, 60_000);
  },
);
