/**
 * Issue 10, point 8: the studio publisher refreshes its grant without re-publishing. With 10 s
 * stream tokens (the shortest table-service issues) the publisher goes through five refreshes, and
 * through all of them the table keeps one producer, HLS keeps one packager run, and an RTP egress
 * (what the vision worker reads) keeps receiving. A real table-service (Postgres), a real sfu
 * (mediasoup, ffmpeg) and the simulated camera.
 */
import { generateKeyPairSync, randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SfuAck, signStreamToken } from '@live-casino/protocol';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@live-casino/testing';
import { loadConfig as loadSfuConfig, Sfu } from '@live-casino/sfu';
import { loadConfig as loadServiceConfig, TableService } from '@live-casino/table-service';
import { startTestPostgres, type TestPostgres } from '@live-casino/table-service/testing';
import { StudioPublisher } from '../src/publisher/StudioPublisher.js';
import { createSimulatedScene } from '../src/simulator/NodeCanvas.js';
import { TableFeed } from '../src/simulator/TableFeed.js';

const TABLE = 'roulette-1';
const REFRESHES = 5;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

interface Stats {
  tables: { tableId: string; producers: { producerId: string }[]; hls: { restarts: number } | null }[];
}

describe('StudioPublisher token refresh', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  let pg: TestPostgres;
  let sfu: Sfu;
  let service: TableService;
  let tableServiceUrl: string;
  let sfuUrl: string;
  const studioSecret = 's'.repeat(32);
  const cleanup: (() => unknown)[] = [];

  beforeAll(async () => {
    pg = await startTestPostgres();
    const db = await pg.freshDatabase();
    const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
    await db.close();
    sfu = await Sfu.create(
      loadSfuConfig({
        STREAM_TOKEN_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        SFU_PORT: '0',
        SFU_INTERNAL_PORT: '0',
        SFU_WORKERS: '1',
        SFU_HLS_ENABLED: 'true',
        SFU_HLS_SEGMENT_S: '0.5',
        SFU_HLS_DIR: mkdtempSync(path.join(tmpdir(), 'publisher-refresh-hls-')),
        LOG_LEVEL: 'silent',
      }),
      log,
    );
    sfuUrl = await sfu.listen();
    service = await TableService.create({
      config: loadServiceConfig({
        STREAM_TOKEN_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        STREAM_TOKEN_TTL_S: '10',
        STUDIO_SERVICE_SECRET: studioSecret,
        DATABASE_URL: pg.url(rows[0]!.db),
        STAFF_ACCOUNTS: '[]',
        DEMO_PLAYERS: '0',
        AUTH_RATE_LIMIT_MAX: '0',
        SFU_PUBLIC_URL: sfuUrl,
        PORT: '0',
      }),
      log,
      liveTables: async () => new Set(),
    });
    tableServiceUrl = await service.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    for (const fn of cleanup.reverse()) await fn();
    await sfu?.close();
    await service?.close();
    await pg?.close();
  });

  async function stats(): Promise<Stats['tables'][number] | undefined> {
    const body = (await (await fetch(`${sfu.internalUrl}/stats`)).json()) as Stats;
    return body.tables.find((t) => t.tableId === TABLE);
  }

  /** The egress tag of the packager run the playlist's newest segment comes from. */
  async function hlsRun(): Promise<string | undefined> {
    const token = await signStreamToken(privateKey, { sub: 'watcher', tableId: TABLE, role: 'view' }, 60);
    const res = await fetch(`${sfuUrl}/hls/${TABLE}/index.m3u8?t=${token}`);
    if (!res.ok) return undefined;
    const uris = (await res.text()).split('\n').filter((l) => l.startsWith('seg-'));
    return uris.at(-1)?.split('-').slice(1, 3).join('-');
  }

  it(`keeps one producer, one HLS run and the egress flowing through ${REFRESHES} refreshes`, async () => {
    const scene = createSimulatedScene('roulette', { tableName: 'refresh', seed: 11, epochMs: Date.now() });
    const feed = await TableFeed.create({
      tableId: TABLE,
      scene,
      target: { host: '127.0.0.1', port: 9 },
      ssrc: randomInt(1, 2 ** 31),
    });
    cleanup.push(() => feed.close());
    const publisher = await StudioPublisher.create({
      tableId: TABLE,
      source: 'camera-1',
      tableServiceUrl,
      studioSecret,
      feed,
    });
    cleanup.push(() => publisher.close());
    let published = 0;
    let refreshed = 0;
    publisher.on('published', () => published++);
    publisher.on('refreshed', () => refreshed++);

    await waitFor('the table published', async () => ((await stats())?.producers.length === 1 ? true : undefined));
    const producerId = (await stats())!.producers[0]!.producerId;
    const run = await waitFor('a playlist', hlsRun, 30_000, 200);

    // What the vision worker reads: an RTP egress, opened once and never reopened.
    const udp = dgram.createSocket('udp4');
    let packets = 0;
    udp.on('message', () => packets++);
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
    cleanup.push(() => udp.close());
    const egressSocket = io(sfuUrl, { transports: ['websocket'], reconnection: false, forceNew: true });
    cleanup.push(() => egressSocket.close());
    await new Promise<void>((resolve) => egressSocket.once('connect', () => resolve()));
    const egressToken = await signStreamToken(
      privateKey,
      { sub: 'service:vision', tableId: TABLE, role: 'egress' },
      600,
    );
    const opened = (await egressSocket.timeout(5000).emitWithAck('openEgress', {
      token: egressToken,
      tableId: TABLE,
      ip: '127.0.0.1',
      port: udp.address().port,
    })) as SfuAck<{ egressId: string }>;
    expect(opened.ok).toBe(true);
    const egressId = (opened as { data: { egressId: string } }).data.egressId;
    const resumed = (await egressSocket
      .timeout(5000)
      .emitWithAck('resumeEgress', { token: egressToken, tableId: TABLE, egressId })) as SfuAck<unknown>;
    expect(resumed.ok).toBe(true);

    const started = Date.now();
    for (let i = 1; i <= REFRESHES; i++) {
      await waitFor(`refresh ${i}`, () => (refreshed >= i ? true : undefined), 30_000, 100);
      const now = await stats();
      expect(
        now?.producers.map((p) => p.producerId),
        `after refresh ${i}`,
      ).toEqual([producerId]);
      const before = packets;
      await waitFor(`egress packets after refresh ${i}`, () => (packets > before + 10 ? true : undefined), 10_000);
    }
    console.info(
      `${refreshed} refreshes in ${Math.round((Date.now() - started) / 1000)} s; ${published} publish(es); ${packets} egress packets`,
    );
    expect(published).toBe(1);
    const last = await stats();
    expect(last?.producers.map((p) => p.producerId)).toEqual([producerId]);
    expect(last?.hls?.restarts).toBe(0);
    expect(await hlsRun()).toBe(run);
  }, 180_000);
});
