import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestSfu, type TestSfu } from './helpers.js';

describe('router placement over workers', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu({ SFU_WORKERS: '2', SFU_VIEWERS_PER_ROUTER: '2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('tables created at the same moment get their origins on different workers', async () => {
    const [a, b] = await Promise.all([t.sfu.getOrCreateTable('table-a'), t.sfu.getOrCreateTable('table-b')]);
    const originOf = async (table: typeof a) =>
      (await table.stats()).routers.find((r) => r.role === 'origin')!.workerIndex;
    expect(new Set([await originOf(a), await originOf(b)]).size).toBe(2);
  });

  it('viewers fill routers of 2, off the origin worker first, then over every worker', async () => {
    const tableId = 'table-c';
    for (let i = 0; i < 6; i++) {
      const socket = await t.connect();
      const token = await t.token(tableId, 'view');
      expect((await request(socket, 'join', { token, tableId })).ok).toBe(true);
    }
    const stats = await t.sfu.tables.get(tableId)!.stats();
    const origin = stats.routers.find((r) => r.role === 'origin')!;
    const viewers = stats.routers.filter((r) => r.role === 'viewer');
    expect(viewers.map((r) => r.peers)).toEqual([2, 2, 2]);
    // The first viewer router avoids the origin's worker; later ones use both workers.
    expect(viewers[0]!.workerIndex).not.toBe(origin.workerIndex);
    expect(new Set(viewers.map((r) => r.workerIndex)).size).toBe(2);
    const perWorker = t.sfu.pool.workers.map((w) => w.viewers);
    expect(perWorker.reduce((x, y) => x + y, 0)).toBe(6);
  });
});
