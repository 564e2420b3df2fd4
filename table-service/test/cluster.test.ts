import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RoundEventPayload, TableAck } from '@live-casino/protocol';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/auth/Passwords.js';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { ClusterDto } from '../src/cluster/TableLeasesTypes.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/Database.js';
import { DEFAULT_WINDOW_POLICY, lastAcceptanceMs } from '../src/rounds/BettingWindow.js';
import { TableService } from '../src/TableService.js';
import { silentLog, startTestPostgres, type TestPostgres } from './helpers/db.js';
import { freePort, httpJson } from './helpers/http.js';
import { REDIS_URL, redisForSuite } from './helpers/redis.js';
import { waitFor } from '@live-casino/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../src/main.ts');

const hasRedis = await redisForSuite('cluster tests', { start: true });

/** Resolves once `node`'s socket.io streams adapter has read a probe added to the stream. */
async function streamReaderReady(node: TableService): Promise<void> {
  const PROBE = `cluster-test-probe-${process.pid}`;
  // The streams adapter's reader (not part of socket.io's typed API): looked up, not cast.
  const adapter: object = node.realtime.io.of('/').adapter;
  if (!('onRawMessage' in adapter) || typeof adapter.onRawMessage !== 'function') {
    throw new Error('not the Redis streams adapter');
  }
  const onRawMessage = adapter.onRawMessage.bind(adapter);
  let probed = false;
  adapter.onRawMessage = (message: { uid?: unknown }, offset: string): unknown => {
    if (message.uid !== PROBE) return onRawMessage(message, offset);
    probed = true;
    return undefined;
  };
  const redis = new Redis(REDIS_URL);
  try {
    await waitFor(
      "node B's stream reader",
      async () => {
        if (probed) return true;
        await redis.xadd('table-service:socket.io', '*', 'uid', PROBE, 'nsp', '/', 'type', '-1');
        return undefined;
      },
      30_000,
      100,
    );
  } finally {
    adapter.onRawMessage = onRawMessage;
    redis.disconnect();
  }
}

describe.skipIf(!hasRedis)('table-service on several nodes (Redis + Postgres)', () => {
  let pgServer: TestPostgres;
  let db: Database;
  let env: Record<string, string>;
  let nodeA: ChildProcess;
  let nodeAOutput = '';
  let urlA: string;
  let b: TableService;
  let urlB: string;
  const suffix = randomBytes(3).toString('hex');
  const roulette = `cl-roulette-${suffix}`;
  const baccarat = `cl-baccarat-${suffix}`;

  const http = httpJson;

  /** Each node's ops listener, by its public URL: /v1/cluster is not on the public port. */
  const opsUrls = new Map<string, string>();
  const cluster = async (base: string) => (await http(opsUrls.get(base)!, 'GET', '/v1/cluster')).body as ClusterDto;
  const staffToken = async (base: string) =>
    (await http(base, 'POST', '/v1/auth/staff-login', undefined, { id: 'boss', password: 'boss-password' })).body
      .token as string;
  const playerToken = async (base: string, username: string) =>
    (await http(base, 'POST', '/v1/auth/login', undefined, { username, password: 'demo-password' })).body
      .token as string;

  beforeAll(async () => {
    pgServer = await startTestPostgres();
    db = await pgServer.freshDatabase();
    const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
    const { privateKey } = generateKeyPairSync('ed25519');
    env = {
      STREAM_TOKEN_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      STUDIO_SERVICE_SECRET: 'x'.repeat(32),
      DATABASE_URL: pgServer.url(rows[0]!.db),
      STAFF_ACCOUNTS: JSON.stringify([
        { id: 'boss', role: 'pitboss', passwordHash: await hashPassword('boss-password') },
      ]),
      TABLES: JSON.stringify([
        { tableId: roulette, name: 'Cluster roulette', game: 'roulette' },
        { tableId: baccarat, name: 'Cluster baccarat', game: 'baccarat' },
      ]),
      DEMO_PLAYERS: '3',
      DEMO_BALANCE: '100000',
      AUTH_RATE_LIMIT_MAX: '0',
      REDIS_URL,
      TABLE_LEASE_MS: '3000',
      SFU_INTERNAL_URL: 'http://127.0.0.1:9',
    };

    // Node A: a child process, so that its crash is a real SIGKILL.
    const portA = await freePort();
    urlA = `http://127.0.0.1:${portA}`;
    const opsPortA = await freePort();
    opsUrls.set(urlA, `http://127.0.0.1:${opsPortA}`);
    nodeA = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        ...env,
        NODE_ID: 'node-a',
        PORT: String(portA),
        OPS_PORT: String(opsPortA),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    nodeA.stdout!.on('data', (d) => {
      nodeAOutput += String(d);
    });
    nodeA.stderr!.on('data', (d) => {
      nodeAOutput += String(d);
    });
    await waitFor(
      'node A to serve and own both tables',
      async () => {
        if (nodeA.exitCode !== null) throw new Error(`node A exited: ${nodeAOutput}`);
        // Refused connections are expected until node A listens; its exit is the failure.
        const c = await cluster(urlA).catch(() => undefined);
        return c && c.owned.length === 2 ? c : undefined;
      },
      40_000,
      100,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${nodeAOutput}`);
    });

    // Node B: in-process, same Postgres and Redis.
    b = await TableService.create({
      config: loadConfig({ ...env, NODE_ID: 'node-b', PORT: '0', OPS_PORT: '0' }),
      log: silentLog,
      liveTables: async () => new Set(),
    });
    urlB = await b.app.listen({ host: '127.0.0.1', port: 0 });
    opsUrls.set(urlB, await b.listenOps());
  }, 60_000);

  afterAll(async () => {
    if (nodeA && nodeA.exitCode === null) nodeA.kill('SIGKILL');
    await b?.close();
    const redis = new Redis(REDIS_URL);
    await redis.del(`table-service:lease:${roulette}`, `table-service:lease:${baccarat}`);
    redis.disconnect();
    await pgServer?.close();
  });

  it('(b) only one node owns each table', async () => {
    const [a, bb] = await Promise.all([cluster(urlA), cluster(urlB)]);
    expect(a.nodeId).toBe('node-a');
    expect(bb.nodeId).toBe('node-b');
    expect(a.store).toBe('redis');
    expect(a.owned.sort()).toEqual([baccarat, roulette].sort());
    // Only on the ops listener: the public port of a real node does not answer it.
    expect((await http(urlA, 'GET', '/v1/cluster')).status).toBe(404);
    expect((await http(urlA, 'GET', '/metrics')).status).toBe(404);
    expect(bb.owned).toEqual([]);
    expect(b.leases.owns(roulette)).toBe(false);
    // Both nodes read the same holder from Redis.
    for (const t of bb.tables) {
      expect(t.ownerNodeId).toBe('node-a');
      expect(t.state).toBe('standby');
    }
    // B keeps trying: after several lease periods it still owns nothing while A renews.
    await new Promise((r) => setTimeout(r, 3500));
    expect((await cluster(urlB)).owned).toEqual([]);
    expect((await cluster(urlA)).owned.length).toBe(2);
  });

  it('(a) a player on node B receives the round events of transitions made on node A', async () => {
    const bossA = await staffToken(urlA);
    const player = await playerToken(urlB, 'demo1');
    const socket: Socket = io(urlB, { transports: ['websocket'], auth: { token: player }, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const events: RoundEventPayload[] = [];
    socket.on('round', (ev: RoundEventPayload) => events.push(ev));
    const snap = (await socket.emitWithAck('subscribe', { tableId: roulette })) as TableAck<{ seq: number }>;
    expect(snap.ok).toBe(true);
    // The streams adapter reads from "$" on its first XREAD: what A publishes before B's reader is
    // waiting is never read by B. Wait until B has read something (a probe, ignored by every
    // adapter: an unknown message type); from then on it reads on from an offset and misses nothing.
    await streamReaderReady(b);

    const opened = await http(urlA, 'POST', `/v1/tables/${roulette}/rounds`, bossA, {
      opensAtStudioMs: Date.now() - 20_000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;
    const close = { closesAtStudioMs: Date.now() - 10_000 };
    expect((await http(urlA, 'POST', `/v1/rounds/${roundId}/close`, bossA, close)).status).toBe(200);
    expect((await http(urlA, 'POST', `/v1/rounds/${roundId}/result`, bossA, { result: { pocket: 7 } })).status).toBe(
      200,
    );
    expect((await http(urlA, 'POST', `/v1/rounds/${roundId}/confirm`, bossA)).status).toBe(200);
    // The manual route still works (and repeats harmlessly).
    expect((await http(urlA, 'POST', `/v1/rounds/${roundId}/settle`, bossA)).body.state).toBe('SETTLED');
    expect((await http(urlA, 'POST', `/v1/rounds/${roundId}/settle`, bossA)).body.state).toBe('SETTLED');

    await waitFor('five events on node B', async () => (events.length >= 5 ? true : undefined), 5000);
    expect(events.map((e) => e.event)).toEqual([
      'BETTING_OPEN',
      'BETTING_CLOSED',
      'RESULT_PENDING',
      'RESULT_CONFIRMED',
      'SETTLED',
    ]);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(seqs[0]).toBe(snap.ok ? snap.data.seq + 1 : Number.NaN);
    socket.close();
  });

  it('(d) the owner settles a confirmed round by itself once its late-acceptance deadline passes', async () => {
    const bossB = await staffToken(urlB);
    const player = await playerToken(urlB, 'demo2');
    const settledByB: string[] = [];
    b.leases.on('autosettled', (ev) => settledByB.push(ev.roundId));
    const opened = await http(urlB, 'POST', `/v1/tables/${roulette}/rounds`, bossB, {
      opensAtStudioMs: Date.now() - 20_000,
    });
    const roundId = opened.body.roundId as string;
    const bet = await http(urlB, 'POST', '/v1/bets', player, {
      clientBetId: 'auto-1',
      roundId,
      bet: { type: 'red' },
      stake: 1000,
    });
    expect(bet.status).toBe(201);
    // Close so that late bets are accepted until ~2 s from now; every step is done on node B,
    // the owner (A) learns of the confirmed round from Postgres.
    const deadline = Date.now() + 2000;
    const closesAtStudioMs = deadline - lastAcceptanceMs(0, 0, DEFAULT_WINDOW_POLICY.roulette);
    const closed = await http(urlB, 'POST', `/v1/rounds/${roundId}/close`, bossB, { closesAtStudioMs });
    expect(closed.body.lastAcceptanceMs).toBe(deadline);
    await http(urlB, 'POST', `/v1/rounds/${roundId}/result`, bossB, { result: { pocket: 1 } });
    expect((await http(urlB, 'POST', `/v1/rounds/${roundId}/confirm`, bossB)).body.state).toBe('RESULT_CONFIRMED');

    const settledAt = await waitFor(
      'the owner to settle',
      async () => {
        const { rows } = await db.query<{ state: string }>('SELECT state FROM rounds WHERE id = $1', [roundId]);
        return rows[0]?.state === 'SETTLED' ? Date.now() : undefined;
      },
      8000,
      50,
    );
    expect(settledAt).toBeGreaterThanOrEqual(deadline);
    // Settled once, by the owner (node A), not by node B where every request was made.
    expect(settledByB).toEqual([]);
    const { rows: log } = await db.query<{ entry: unknown }>(
      "SELECT entry FROM round_log WHERE round_id = $1 AND event = 'SETTLED'",
      [roundId],
    );
    expect(log).toHaveLength(1);
    // 1 is red: the bet won 1:1.
    const me = await http(urlB, 'GET', '/v1/me', player);
    expect(me.body.balance.amount).toBe(100_000 + 1000);
  });

  it('(c) node A is SIGKILLed mid-round: node B owns its tables within 5 s and refunds every bet once', async () => {
    const bossB = await staffToken(urlB);
    const players = [await playerToken(urlB, 'demo1'), await playerToken(urlB, 'demo3')];
    const balance = async (token: string) => (await http(urlB, 'GET', '/v1/me', token)).body.balance.amount as number;
    const before = await Promise.all(players.map(balance));
    const opened = await http(urlA, 'POST', `/v1/tables/${roulette}/rounds`, bossB, {
      opensAtStudioMs: Date.now() - 1000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;
    let n = 0;
    for (const token of players) {
      for (const stake of [500, 700]) {
        const bet = await http(n % 2 === 0 ? urlA : urlB, 'POST', '/v1/bets', token, {
          clientBetId: `crash-${n++}`,
          roundId,
          bet: { type: 'black' },
          stake,
        });
        expect(bet.status).toBe(201);
      }
    }
    expect((await http(urlB, 'GET', `/v1/tables/${roulette}/round`)).body.round.state).toBe('BETTING_OPEN');
    expect(b.leases.owns(roulette)).toBe(false);

    const recovered = new Promise<number>((resolve) =>
      b.leases.on('recovered', (ev) => {
        if (ev.tableId === roulette) resolve(Date.now());
      }),
    );
    const exited = new Promise<void>((resolve) => nodeA.once('exit', () => resolve()));
    const killedAt = Date.now();
    nodeA.kill('SIGKILL');
    await exited;
    const ownedAt = await recovered;
    const takeOverMs = ownedAt - killedAt;
    console.log(`take-over: node B owned ${roulette} (recovered) ${takeOverMs} ms after SIGKILL of node A`);
    expect(takeOverMs).toBeLessThanOrEqual(5000);
    await waitFor('B to own both tables', async () => (b.leases.ownedTables().length === 2 ? true : undefined), 5000);
    expect((await cluster(urlB)).tables.every((t) => t.ownerNodeId === 'node-b' && t.state === 'owned')).toBe(true);

    const round = (await db.query<{ state: string }>('SELECT state FROM rounds WHERE id = $1', [roundId])).rows[0];
    expect(round?.state).toBe('VOIDED');
    const { rows: refunds } = await db.query<{ id: string; bet_id: string }>(
      "SELECT id, bet_id FROM transfers WHERE round_id = $1 AND kind = 'void_refund'",
      [roundId],
    );
    expect(refunds).toHaveLength(4);
    expect(new Set(refunds.map((r) => r.bet_id)).size).toBe(4);
    const { rows: bets } = await db.query<{ status: string }>('SELECT status FROM bets WHERE round_id = $1', [roundId]);
    expect(bets.map((x) => x.status)).toEqual(['refunded', 'refunded', 'refunded', 'refunded']);
    expect(await Promise.all(players.map(balance))).toEqual(before);

    // A second recovery (another take-over, a restart) moves nothing.
    expect(await b.rounds.recover(roulette)).toEqual([]);
    const report = await checkLedger(db.pool);
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
