/**
 * A real platform in one process for the live-frames tests: Postgres (DATABASE_URL, else embedded),
 * a whole table-service with a vision service account, an sfu with the matching stream-token key,
 * and the studio simulator (TableFeed + StudioPublisher) publishing a table into it.
 */
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { decodeTimecode } from '@live-casino/protocol';
import { createSimulatedScene, seedFromString, TableFeed } from '@live-casino/studio/simulator';
import { pino } from 'pino';
import { loadConfig as loadSfuConfig, Sfu } from '@live-casino/sfu';
import { StudioPublisher } from '@live-casino/studio/publisher';
import { hashPassword, loadConfig as loadServiceConfig, TableService } from '@live-casino/table-service';
import { startTestPostgres, type TestPostgres } from '@live-casino/table-service/testing';
import type { DecodedFrame } from '../src/live/frames/index.js';

export const VISION_ID = 'vision-1';
export const VISION_SECRET = 'vision-secret-for-tests-0123456789';
export const STAFF_PASSWORD = 'staff-password-for-tests';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Studio {
  feed: TableFeed;
  publisher: StudioPublisher;
  close(): void;
}

export interface LiveRig {
  sfuUrl: string;
  tableServiceUrl: string;
  publicKeyPem: string;
  sfu(): Sfu;
  /** Starts the simulated camera of a table and publishes it (as the studio does, through grants). */
  startStudio(tableId: string, game?: 'roulette' | 'baccarat'): Promise<Studio>;
  /** Stops the sfu and starts a fresh one on the same port (what a crash and restart look like). */
  restartSfu(opts?: { downMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function startLiveRig(): Promise<LiveRig> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const pg: TestPostgres = await startTestPostgres();
  const db = await pg.freshDatabase();
  const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
  await db.close();

  const sfuConfig = (port: number) =>
    loadSfuConfig({
      STREAM_TOKEN_PUBLIC_KEY: publicKeyPem,
      SFU_PORT: String(port),
      // The operations listener on a free port: tests run side by side.
      SFU_INTERNAL_PORT: '0',
      SFU_WORKERS: '1',
      SFU_HLS_ENABLED: 'false',
      SFU_SIGNALLING_BURST: '100000',
      LOG_LEVEL: 'silent',
    });
  let sfu = await Sfu.create(sfuConfig(0), log);
  const sfuUrl = await sfu.listen();
  const sfuPort = Number(new URL(sfuUrl).port);

  const staff = [
    { id: VISION_ID, role: 'service', secretHash: await hashPassword(VISION_SECRET) },
    { id: 'dealer-1', role: 'dealer', tableId: 'roulette-1', passwordHash: await hashPassword(STAFF_PASSWORD) },
    { id: 'pitboss-1', role: 'pitboss', passwordHash: await hashPassword(STAFF_PASSWORD) },
  ];
  const studioSecret = 's'.repeat(32);
  const config = loadServiceConfig({
    STREAM_TOKEN_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    STUDIO_SERVICE_SECRET: studioSecret,
    DATABASE_URL: pg.url(rows[0]!.db),
    STAFF_ACCOUNTS: JSON.stringify(staff),
    DEMO_PLAYERS: '1',
    DEMO_BALANCE: '100000',
    AUTH_RATE_LIMIT_MAX: '0',
    SFU_PUBLIC_URL: sfuUrl,
    PORT: '0',
  });
  const service = await TableService.create({ config, log, liveTables: async () => new Set() });
  const tableServiceUrl = await service.app.listen({ host: '127.0.0.1', port: 0 });

  const studios = new Set<Studio>();
  return {
    sfuUrl,
    tableServiceUrl,
    publicKeyPem,
    sfu: () => sfu,
    async startStudio(tableId, game = 'roulette') {
      const scene = createSimulatedScene(game, {
        tableName: tableId,
        seed: seedFromString(tableId),
        epochMs: Date.now(),
      });
      const feed = await TableFeed.create({
        tableId,
        scene,
        target: { host: '127.0.0.1', port: 9 },
        ssrc: randomInt(1, 2 ** 31),
      });
      const publisher = await StudioPublisher.create({
        tableId,
        source: 'camera-1',
        tableServiceUrl,
        studioSecret,
        feed,
      });
      const studio: Studio = {
        feed,
        publisher,
        close() {
          publisher.close();
          feed.close();
          studios.delete(studio);
        },
      };
      studios.add(studio);
      return studio;
    },
    async restartSfu(opts = {}) {
      await sfu.close();
      if (opts.downMs) await new Promise((r) => setTimeout(r, opts.downMs));
      sfu = await Sfu.create(sfuConfig(sfuPort), log);
      await sfu.listen();
    },
    async close() {
      for (const s of [...studios]) s.close();
      await sfu.close();
      await service.close();
      await pg.close();
    },
  };
}

/**
 * Reads the studio time burned into a decoded RGB frame (null when unreadable). Only the top band
 * holds the code, so only it is converted to the RGBA decodeTimecode samples.
 */
export function timecodeOf(frame: DecodedFrame): number | null {
  const { width, height, rgb } = frame;
  const rows = Math.min(height, Math.ceil((32 * height) / 360));
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < width * rows * 3; i += 3, j += 4) {
    rgba[j] = rgb[i]!;
    rgba[j + 1] = rgb[i + 1]!;
    rgba[j + 2] = rgb[i + 2]!;
    rgba[j + 3] = 255;
  }
  return decodeTimecode(rgba, width, height);
}
