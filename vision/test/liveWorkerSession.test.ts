/**
 * The live worker's table-service session: one sign-in for a studio of twelve tables (staff-login
 * is limited per address: a login per table would lock a dozen-table studio out), and readings
 * that keep going through a table-service restart.
 */
import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { TableServiceClient } from '@live-casino/clients';
import {
  startTestPostgres,
  startTestService,
  type TestPostgres,
  type TestService,
} from '@live-casino/table-service/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadingsClient } from '../src/live/ReadingsClient.js';
import { VisionWorker } from '../src/live/VisionWorker.js';
import type { FrameSourceLike, FrameSourceOptions } from '../src/live/VisionWorkerTypes.js';
import { workerConfig } from './workerConfig.js';
import { waitFor } from '@live-casino/testing';

const TABLES = Array.from({ length: 12 }, (_, i) => ({
  tableId: `t${String(i + 1).padStart(2, '0')}`,
  name: `Table ${i + 1}`,
  game: i % 2 === 0 ? ('roulette' as const) : ('baccarat' as const),
}));

/** A frame source that, as SfuFrameSource does on start, asks table-service for its egress grant. */
class GrantingSource extends EventEmitter implements FrameSourceLike {
  grants = 0;
  constructor(readonly opts: FrameSourceOptions) {
    super();
  }
  start(): void {
    void this.opts.tableService.streamGrant(this.opts.tableId, 'egress').then(() => this.grants++);
  }
  close(): void {}
}

describe('the live worker signs in once for every table', () => {
  let pg: TestPostgres;
  let service: TestService;
  const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const serviceOpts = () => ({
    staff: [{ id: 'vision', role: 'service', password: 'vision-secret-0123456789' }],
    demoPlayers: 0,
    env: { TABLES: JSON.stringify(TABLES) },
    signingKey,
  });

  beforeAll(async () => {
    pg = await startTestPostgres();
    service = await startTestService(pg, serviceOpts());
  });
  afterAll(async () => {
    await service?.svc.close();
    await pg?.close();
  });

  it('twelve tables, one login, readings before and after a table-service restart', async () => {
    const requests: string[] = [];
    const counting: typeof fetch = (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const tableService = new TableServiceClient({
      baseUrl: service.url,
      credentials: { kind: 'staff', id: 'vision', password: 'vision-secret-0123456789' },
      fetch: counting,
      signInRetryMs: 100,
    });
    const config = workerConfig(
      service.url,
      TABLES.map(({ tableId, game }) => ({ tableId, game })),
      'vision-secret-0123456789',
    );
    const sources: GrantingSource[] = [];
    const worker = await VisionWorker.create({
      config,
      tableService,
      createFrameSource: (opts) => {
        const source = new GrantingSource(opts);
        sources.push(source);
        return source;
      },
    });
    // What the worker sends readings with, on the worker's client.
    const readings = new ReadingsClient({ tableService, retryForMs: 15_000 });
    const readAll = () =>
      Promise.all(
        TABLES.map(({ tableId, game }) =>
          readings.send(tableId, {
            readingId: ReadingsClient.newReadingId(),
            studioMs: Date.now(),
            confidence: 0.99,
            result: game === 'roulette' ? { pocket: 7 } : { cards: [{ rank: 'A', suit: 'spades' }], positions: ['P1'] },
          }),
        ),
      );
    try {
      await waitFor('an egress grant for every table', () =>
        sources.length === 12 && sources.every((s) => s.grants === 1) ? true : undefined,
      );
      const before = await readAll();
      expect(before.map((o) => o.sent)).toEqual(TABLES.map(() => true));
      const logins = () => requests.filter((r) => r === 'POST /v1/auth/staff-login').length;
      expect(logins()).toBe(1);
      expect(requests.filter((r) => r === 'POST /v1/stream-grants')).toHaveLength(12);

      // table-service restarts (same database, same port, same signing key, as a deploy does).
      const port = Number(new URL(service.url).port);
      await service.svc.close();
      const down = await new ReadingsClient({ tableService, retryForMs: 300 }).send(TABLES[0]!.tableId, {
        readingId: ReadingsClient.newReadingId(),
        studioMs: Date.now(),
        confidence: 0.99,
        result: { pocket: 7 },
      });
      expect(down.sent).toBe(false);
      service = await startTestService(pg, { ...serviceOpts(), databaseUrl: service.databaseUrl, port });

      const after = await readAll();
      expect(after.map((o) => o.sent)).toEqual(TABLES.map(() => true));
      // The session outlived the restart: still the one login.
      expect(logins()).toBe(1);
    } finally {
      readings.close();
      await worker.close();
    }
  }, 120_000);
});
