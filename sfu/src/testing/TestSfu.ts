import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type SfuAck, type SfuRequestName, signStreamToken, type StreamRole } from '@live-casino/protocol';
import { pino } from 'pino';
import { io, type Socket } from 'socket.io-client';
import { loadConfig } from '../config.js';
import { Sfu } from '../Sfu.js';

export interface TestSfu {
  sfu: Sfu;
  /** The players' listener (signalling, HLS). */
  url: string;
  /** The operations listener (/stats, /metrics, /internal/viewer-delays). */
  internalUrl: string;
  privateKey: KeyObject;
  /** A token of subject `sub` ('test' unless given). */
  token(tableId: string, role: StreamRole, ttlSeconds?: number, sub?: string): Promise<string>;
  /** A signalling socket without the contract's types: tests send what no typed client would. */
  connect(): Promise<Socket>;
  close(): Promise<void>;
}

export async function startTestSfu(env: Record<string, string> = {}): Promise<TestSfu> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const config = loadConfig({
    STREAM_TOKEN_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    SFU_PORT: '0',
    SFU_INTERNAL_PORT: '0',
    // Most tests present one subject's tokens on many sockets; the caps' own tests set them.
    SFU_MAX_SOCKETS_PER_SUB: '1000',
    SFU_MAX_TRANSPORTS_PER_SUB: '10000',
    SFU_WORKERS: '2',
    SFU_HLS_ENABLED: 'false',
    SFU_SIGNALLING_BURST: '100000',
    SFU_HLS_DIR: mkdtempSync(path.join(tmpdir(), 'sfu-hls-')),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const sfu = await Sfu.create(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const url = await sfu.listen();
  const sockets: Socket[] = [];
  return {
    sfu,
    url,
    internalUrl: sfu.internalUrl,
    privateKey,
    token: (tableId, role, ttlSeconds = 60, sub = 'test') =>
      signStreamToken(privateKey, { sub, tableId, role }, ttlSeconds),
    async connect() {
      const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return socket;
    },
    async close() {
      for (const s of sockets) s.close();
      await sfu.close();
    },
  };
}

/**
 * Sends a signalling request, any body at all (tests send what no typed client would), and
 * resolves with its acknowledgement.
 */
export function request(socket: Socket, name: SfuRequestName, payload: unknown): Promise<SfuAck<unknown>> {
  return socket.timeout(10_000).emitWithAck(name, payload);
}

export const VP8_INGEST = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
  encodings: [{ ssrc: 1111 }],
  headerExtensions: [{ uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time', id: 1 }],
};

/** The HLS playlist's text, or undefined while there is none (not published yet, packager restarting). */
export async function fetchPlaylist(url: string): Promise<string | undefined> {
  const r = await fetch(url).catch(() => undefined);
  return r?.ok ? r.text() : undefined;
}
