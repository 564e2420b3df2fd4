import { fetchSfuStats } from '@live-casino/clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestSfu, type TestSfu, VP8_INGEST } from './helpers.js';

describe('sfu stats', () => {
  let t: TestSfu;
  beforeAll(async () => {
    t = await startTestSfu();
    const socket = await t.connect();
    const token = await t.token('roulette-1', 'publish');
    await request(socket, 'publishRtp', {
      token,
      tableId: 'roulette-1',
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it("serves per-table and per-worker stats as JSON, in the protocol's shape", async () => {
    // fetchSfuStats checks the answer against protocol's SfuStats and refuses anything else.
    const stats = await fetchSfuStats(t.internalUrl);
    expect(stats.workers).toHaveLength(2);
    expect(stats.workers.every((w) => w.alive && w.pid > 0 && typeof w.cpuPercent === 'number')).toBe(true);
    expect(stats.tables[0]).toMatchObject({
      tableId: 'roulette-1',
      consumers: 0,
      producers: [{ kind: 'video', packetsLost: 0 }],
    });
  });

  it("answers operations on the internal listener only: the players' port says 404", async () => {
    for (const route of ['/stats', '/metrics', '/internal/viewer-delays']) {
      const res = await fetch(`${t.url}${route}`);
      expect(res.status, route).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
      expect((await fetch(`${t.internalUrl}${route}`)).status, route).toBe(200);
    }
    expect(new URL(t.internalUrl).hostname).toBe('127.0.0.1');
    expect(new URL(t.internalUrl).port).not.toBe(new URL(t.url).port);
  });

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`${t.internalUrl}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'sfu_worker_cpu_percent{worker="0"}',
      'sfu_table_producers{table="roulette-1"} 1',
      'sfu_table_consumers{table="roulette-1"} 0',
      'sfu_table_ingest_bitrate_bps{table="roulette-1"}',
      'sfu_table_ingest_packets_lost{table="roulette-1"} 0',
      'sfu_signalling_requests_total{request="publishRtp",outcome="ok"} 1',
    ]) {
      expect(text).toContain(name);
    }
  });
});
