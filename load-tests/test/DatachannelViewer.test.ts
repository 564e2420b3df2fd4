import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestSfu, type TestSfu, VP8_INGEST } from '@live-casino/sfu/testing';
import { waitFor } from '@live-casino/testing';
import { DatachannelViewer, shutdownWebRtc } from '../src/viewers/DatachannelViewer.js';
import { ViewerSwarm } from '../src/viewers/ViewerSwarm.js';
import { type FfmpegRtpSource, startFfmpegRtpSource } from './ffmpegRtpSource.js';

const TABLE = 'roulette-1';

describe('DatachannelViewer against a real sfu', () => {
  let t: TestSfu;
  let source: FfmpegRtpSource;

  beforeAll(async () => {
    t = await startTestSfu();
    const publisher = await t.connect();
    const res = await request(publisher, 'publishRtp', {
      token: await t.token(TABLE, 'publish'),
      tableId: TABLE,
      source: 'camera-1',
      kind: 'video',
      rtpParameters: VP8_INGEST,
    });
    if (!res.ok) throw new Error(`publishRtp: ${res.error.code} ${res.error.message}`);
    const { ip, port } = res.data as { ip: string; port: number };
    source = startFfmpegRtpSource({ ip, port });
  });

  afterAll(async () => {
    await source?.stop();
    await t?.close();
    shutdownWebRtc();
  });

  it('five viewers each receive the table video as RTP', async () => {
    const viewers = await Promise.all(
      Array.from({ length: 5 }, async (_, i) =>
        DatachannelViewer.create({ sfuUrl: t.url, tableId: TABLE, token: await t.token(TABLE, 'view'), name: `v${i}` }),
      ),
    );
    try {
      await Promise.all(viewers.map((v) => v.waitForRtp(15_000)));
      const before = viewers.map((v) => v.stats().rtpPackets);
      // Media keeps flowing: every viewer gets 30 more packets (about a second of this stream).
      // Waited for, not timed: a loaded machine only makes it slower.
      await waitFor('30 more packets at every viewer', () =>
        viewers.every((v, i) => v.stats().rtpPackets - (before[i] as number) > 30) ? true : undefined,
      );
      for (const [i, v] of viewers.entries()) {
        const s = v.stats();
        expect(s.state).toBe('connected');
        expect(s.consumers).toBe(1);
        expect(s.rtpPackets - (before[i] as number)).toBeGreaterThan(30);
        expect(s.rtpBytes).toBeGreaterThan(s.rtpPackets * 12);
      }
      const stats = await t.sfu.stats();
      const table = stats.tables.find((x) => x.tableId === TABLE);
      expect(table?.viewers).toBe(5);
      expect(table?.consumers).toBe(5);
    } finally {
      for (const v of viewers) v.close();
    }
    // close() is idempotent.
    viewers[0]?.close();
    expect(viewers[0]?.state).toBe('closed');
  });

  it('a swarm starts viewers with bounded concurrency and stops them all', async () => {
    const swarm = new ViewerSwarm({
      count: 6,
      concurrency: 3,
      tableId: TABLE,
      grant: async () => ({ sfuUrl: t.url, token: await t.token(TABLE, 'view') }),
    });
    try {
      await swarm.start();
      await swarm.waitAllReceiving(15_000);
      const s = swarm.stats();
      expect(s).toMatchObject({ viewers: 6, failed: 0, receiving: 6 });
    } finally {
      swarm.stop();
    }
    expect(swarm.viewers).toHaveLength(0);
    // The sfu sees them go once their sockets close.
    await expect.poll(async () => (await t.sfu.stats()).tables[0]?.viewers, { timeout: 5000 }).toBe(0);
  });

  it('a table with no video refuses the viewer and keeps nothing of it', async () => {
    const token = await t.token('baccarat-1', 'view');
    await expect(DatachannelViewer.create({ sfuUrl: t.url, tableId: 'baccarat-1', token })).rejects.toThrow(
      /consume: TABLE_NOT_LIVE/,
    );
    await expect
      .poll(async () => (await t.sfu.stats()).tables.find((x) => x.tableId === 'baccarat-1')?.viewers, {
        timeout: 5000,
      })
      .toBe(0);
  });

  it('an unreachable sfu fails fast with where it tried', async () => {
    const token = await t.token(TABLE, 'view');
    await expect(
      DatachannelViewer.create({ sfuUrl: 'http://127.0.0.1:9', tableId: TABLE, token, connectTimeoutMs: 5000 }),
    ).rejects.toThrow(/cannot connect to sfu http:\/\/127.0.0.1:9/);
  });

  it('a viewer that times out while connecting leaves nothing behind', async () => {
    const token = await t.token(TABLE, 'view');
    await expect(
      DatachannelViewer.create({ sfuUrl: t.url, tableId: TABLE, token, connectTimeoutMs: 1 }),
    ).rejects.toThrow(/not connected after 1 ms/);
    // What was still in flight is released when it lands: no viewer stays joined at the sfu.
    await new Promise((r) => setTimeout(r, 500));
    await expect.poll(async () => (await t.sfu.stats()).tables.find((x) => x.tableId === TABLE)?.viewers).toBe(0);
  });

  it('a viewer with a token for another table is refused by the sfu', async () => {
    const token = await t.token('baccarat-1', 'view');
    await expect(DatachannelViewer.create({ sfuUrl: t.url, tableId: TABLE, token })).rejects.toThrow(
      /AUTH_WRONG_TABLE/,
    );
  });
});
