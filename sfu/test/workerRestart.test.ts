import { waitFor } from '@live-casino/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestSfu, type TestSfu, VP8_INGEST } from './helpers.js';

const TABLE = 'baccarat-1';

describe('mediasoup worker death', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu({ SFU_WORKERS: '2' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('rebuilds the table on a live worker with the same ingest port and tells viewers to join again', async () => {
    const publisher = await t.connect();
    const publishToken = await t.token(TABLE, 'publish');
    const published = await request(publisher, 'publishRtp', {
      token: publishToken,
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
    });
    expect(published.ok).toBe(true);
    const port = (published as { data: { port: number } }).data.port;

    const viewer = await t.connect();
    const viewToken = await t.token(TABLE, 'view');
    expect((await request(viewer, 'join', { token: viewToken, tableId: TABLE })).ok).toBe(true);
    expect((await request(viewer, 'createTransport', { token: viewToken, tableId: TABLE, direction: 'recv' })).ok).toBe(
      true,
    );
    const reset = new Promise<{ tableId: string; reason: string }>((resolve) => viewer.once('mediaReset', resolve));

    const table = t.sfu.tables.get(TABLE)!;
    const before = await table.stats();
    const origin = before.routers.find((r) => r.role === 'origin')!;
    const viewerRouter = before.routers.find((r) => r.role === 'viewer')!;
    // Viewers are kept off the origin's worker when there is another one.
    expect(viewerRouter.workerIndex).not.toBe(origin.workerIndex);
    const deadPid = t.sfu.pool.workers[origin.workerIndex]!.worker.pid;
    process.kill(deadPid, 'SIGKILL');

    expect(await reset).toMatchObject({ tableId: TABLE });
    const after = await waitFor('table rebuilt', async () => {
      const s = await table.stats();
      return s.producers.length === 1 && table.rebuilds === 1 ? s : undefined;
    });
    expect(after.producers[0]!.source).toBe('camera-1');
    // The encoder keeps sending to the same port: a fresh publishRtp answers it.
    const again = await request(publisher, 'publishRtp', {
      token: publishToken,
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
    });
    expect((again as { data: { port: number } }).data.port).toBe(port);
    // The dead worker is replaced at its index by a new process.
    await waitFor('worker replaced', () => {
      const w = t.sfu.pool.workers[origin.workerIndex]!;
      return !w.worker.closed && w.worker.pid !== deadPid ? true : undefined;
    });
    // The viewer can join again and gets a transport.
    expect((await request(viewer, 'join', { token: viewToken, tableId: TABLE })).ok).toBe(true);
    expect((await request(viewer, 'createTransport', { token: viewToken, tableId: TABLE, direction: 'recv' })).ok).toBe(
      true,
    );
  });
});

describe('one mediasoup worker', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu({ SFU_WORKERS: '1' });
  });
  afterAll(async () => {
    await t.close();
  });

  async function consume(tableId: string): Promise<{ ok: boolean; consumers?: unknown[]; code?: string }> {
    const viewer = await t.connect();
    const token = await t.token(tableId, 'view');
    const joined = (await request(viewer, 'join', { token, tableId })) as {
      ok: true;
      data: { routerRtpCapabilities: { codecs: unknown[]; headerExtensions: unknown[] } };
    };
    const transport = (await request(viewer, 'createTransport', { token, tableId, direction: 'recv' })) as {
      data: { id: string };
    };
    const caps = joined.data.routerRtpCapabilities;
    const res = await request(viewer, 'consume', {
      token,
      tableId,
      transportId: transport.data.id,
      rtpCapabilities: { codecs: caps.codecs, headerExtensions: caps.headerExtensions },
    });
    return res.ok
      ? { ok: true, consumers: (res.data as { consumers: unknown[] }).consumers }
      : { ok: false, code: res.error.code };
  }

  it('viewers consume through a pipe on the origin worker, and again after that worker is replaced', async () => {
    const publisher = await t.connect();
    const token = await t.token(TABLE, 'publish');
    const published = await request(publisher, 'publishRtp', {
      token,
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
    });
    expect(published.ok).toBe(true);
    const first = await consume(TABLE);
    expect(first).toMatchObject({
      ok: true,
      consumers: [{ kind: 'video', producerId: (published as { data: { producerId: string } }).data.producerId }],
    });

    const table = t.sfu.tables.get(TABLE)!;
    process.kill(t.sfu.pool.workers[0]!.worker.pid, 'SIGKILL');
    await waitFor('rebuilt on the replacement worker', async () =>
      table.rebuilds >= 1 && (await table.stats()).producers.length === 1 ? true : undefined,
    );
    expect(await consume(TABLE)).toMatchObject({ ok: true, consumers: [{ kind: 'video' }] });
  });
});
