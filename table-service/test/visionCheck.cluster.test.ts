import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/cli/ledgerCheck.js';
import type { RoundDto } from '../src/rounds/RoundTypes.js';
import { startTestPostgres, type TestPostgres } from './helpers/db.js';
import { REDIS_URL, redisForSuite } from './helpers/redis.js';
import { startTestService, type TestService } from './helpers/service.js';
import { waitFor } from '@live-casino/testing';

const TIMEOUT_MS = 1500;

const hasRedis = await redisForSuite('vision cluster tests');

/**
 * Two (then three) nodes on one Postgres and Redis: readings are taken on any node, and the vision
 * timeout of a table is kept by whichever node owns it, across a take-over.
 */
describe.skipIf(!hasRedis)('vision cross-check on several nodes', () => {
  const suffix = randomBytes(3).toString('hex');
  const table = `vc-roulette-${suffix}`;
  let server: TestPostgres;
  const nodes: TestService[] = [];
  let a: TestService;
  let b: TestService;

  const start = (nodeId: string, databaseUrl?: string, signingKey?: string) =>
    startTestService(server, {
      staff: [
        { id: 'dealer', role: 'dealer', tableId: table, password: 'dealer-password' },
        { id: 'boss', role: 'pitboss', password: 'boss-password' },
        { id: 'vision', role: 'service', password: 'vision-secret-0123456789' },
      ],
      demoPlayers: 1,
      env: {
        TABLES: JSON.stringify([{ tableId: table, name: 'Checked roulette', game: 'roulette', visionCheck: true }]),
        VISION_TIMEOUT_MS: String(TIMEOUT_MS),
        REDIS_URL,
        TABLE_LEASE_MS: '600',
        NODE_ID: nodeId,
      },
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(signingKey ? { signingKey } : {}),
    }).then((node) => {
      nodes.push(node);
      return node;
    });

  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeAll(async () => {
    server = await startTestPostgres();
    a = await start('vc-node-a', undefined, signingKey);
    b = await start('vc-node-b', a.databaseUrl, signingKey);
    await waitFor('node A to own the table', async () => (a.svc.leases.owns(table) ? true : undefined));
  }, 60_000);
  afterAll(async () => {
    for (const node of nodes) await node.svc.close();
    const redis = new Redis(REDIS_URL);
    await redis.del(`table-service:lease:${table}`);
    redis.disconnect();
    await server?.close();
  });

  async function closedRound(
    node: TestService,
    dealer: string,
    player?: string,
  ): Promise<{ roundId: string; closesAt: number }> {
    const opened = await node.inject('POST', `/v1/tables/${table}/rounds`, dealer, {
      opensAtStudioMs: Date.now() - 20_000,
    });
    expect(opened.status).toBe(201);
    const roundId = opened.body.roundId as string;
    if (player) {
      const bet = { clientBetId: `${roundId}-1`, roundId, bet: { type: 'straight', numbers: [11] }, stake: 100 };
      expect((await node.inject('POST', '/v1/bets', player, bet)).status).toBe(201);
    }
    const closesAt = Date.now();
    await node.inject('POST', `/v1/rounds/${roundId}/close`, dealer, { closesAtStudioMs: closesAt });
    return { roundId, closesAt };
  }

  it('a reading sent to a node that does not own the table confirms; the owner settles once', async () => {
    expect(b.svc.leases.owns(table)).toBe(false);
    const dealer = await a.staffToken('dealer', 'dealer-password');
    const vision = await b.staffToken('vision', 'vision-secret-0123456789');
    const player = await a.playerToken('demo1');
    const before = (await a.inject('GET', '/v1/me', player)).body.balance.amount as number;
    const { roundId, closesAt } = await closedRound(a, dealer, player);
    await a.inject('POST', `/v1/rounds/${roundId}/result`, dealer, { result: { pocket: 11 } });
    const reading = await b.inject('POST', `/v1/tables/${table}/readings`, vision, {
      readingId: `vc-${suffix}-1`,
      studioMs: closesAt + 8000,
      confidence: 0.99,
      result: { pocket: 11 },
    });
    expect(reading.body.round).toMatchObject({ state: 'RESULT_CONFIRMED', confirmedBy: 'vision' });
    await waitFor('the owner to settle', async () =>
      (await a.svc.rounds.get(roundId)).state === 'SETTLED' ? true : undefined,
    );
    expect((await a.inject('GET', '/v1/me', player)).body.balance.amount).toBe(before + 3500);
  });

  it('the vision timeout survives a take-over, and a held round survives the next one', async () => {
    const dealer = await a.staffToken('dealer', 'dealer-password');
    const boss = await b.staffToken('boss', 'boss-password');
    const player = await a.playerToken('demo1');
    const before = (await a.inject('GET', '/v1/me', player)).body.balance.amount as number;
    const { roundId } = await closedRound(a, dealer, player);
    await a.inject('POST', `/v1/rounds/${roundId}/result`, dealer, { result: { pocket: 11 } });
    // Node A stops acting (as a crashed node would: no release), before the vision deadline.
    a.svc.leases.abandon();
    const held = await waitFor(
      'node B to take the table over and hold the round at the deadline',
      async () => {
        const round = await b.svc.rounds.get(roundId);
        return round.hold ? round : undefined;
      },
      TIMEOUT_MS + 15_000,
    );
    expect(held).toMatchObject({ state: 'RESULT_PENDING', hold: { reason: 'no_reading' } });
    expect(b.svc.leases.owns(table)).toBe(true);

    // B goes away too; C takes over: the held round is neither voided nor settled.
    await b.svc.close();
    const c = await start('vc-node-c', a.databaseUrl, signingKey);
    await waitFor('node C to own the table', async () => (c.svc.leases.owns(table) ? true : undefined));
    const after: RoundDto = await c.svc.rounds.get(roundId);
    expect(after).toMatchObject({ state: 'RESULT_PENDING', hold: { reason: 'no_reading' } });

    const resolved = await c.inject('POST', `/v1/rounds/${roundId}/resolve`, boss, { result: { pocket: 11 } });
    expect(resolved.body).toMatchObject({ state: 'RESULT_CONFIRMED', resultSource: 'pitboss' });
    await waitFor('node C to settle', async () =>
      (await c.svc.rounds.get(roundId)).state === 'SETTLED' ? true : undefined,
    );
    expect((await c.inject('GET', '/v1/me', player)).body.balance.amount).toBe(before + 3500);
    const report = await checkLedger(c.svc.db.pool);
    expect(report.violations).toEqual([]);
  }, 60_000);
});
