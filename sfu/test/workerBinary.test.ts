// The locally built mediasoup-worker (scripts/mediasoup-worker/build.sh) must complete a real
// WebRTC session: ICE, a DTLS handshake (where Debian's kTLS-enabled OpenSSL used to crash the
// worker) and SRTP both ways (mediasoup 3.27's SrtpSession ported to Debian's libsrtp2).
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  runSrtpSuites,
  runWebRtcLoopback,
  SRTP_CRYPTO_SUITES,
} from '../../scripts/mediasoup-worker/webrtcLoopback.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** MEDIASOUP_WORKER_BIN, else the binary build.sh caches for the installed mediasoup version. */
function workerBin(): string {
  const fromEnv = process.env.MEDIASOUP_WORKER_BIN;
  if (fromEnv) return fromEnv;
  const require = createRequire(path.join(repoRoot, 'sfu', 'package.json'));
  let dir = path.dirname(require.resolve('mediasoup'));
  while (!existsSync(path.join(dir, 'package.json')) || !dir.endsWith('mediasoup')) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot locate the mediasoup package');
    dir = up;
  }
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  const cacheRoot =
    process.env.MEDIASOUP_WORKER_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'live-casino', 'mediasoup-worker');
  const cached = path.join(cacheRoot, version, 'mediasoup-worker');
  if (!existsSync(cached)) {
    throw new Error(
      `MEDIASOUP_WORKER_BIN is not set and ${cached} does not exist: run scripts/mediasoup-worker/build.sh`,
    );
  }
  return cached;
}

describe('mediasoup-worker binary', () => {
  it('connects a real WebRTC peer over ICE + DTLS and moves SRTP both ways', async () => {
    const bin = workerBin();
    accessSync(bin, constants.X_OK);

    const result = await runWebRtcLoopback({ workerBin: bin, timeoutMs: 20_000 });

    expect(result.workerPid).toBeGreaterThan(0);
    expect(['connected', 'completed']).toContain(result.iceState);
    expect(result.dtlsState).toBe('connected');
    expect(result.clientConnectionState).toBe('connected');
    expect(result.rtpServerToClient).toBeGreaterThan(0);
    expect(result.rtpClientToServer).toBeGreaterThan(0);
  });

  it('encrypts and decrypts RTP with every SRTP crypto suite (libsrtp2 port)', async () => {
    const received = await runSrtpSuites({ workerBin: workerBin(), timeoutMs: 10_000 });

    for (const suite of SRTP_CRYPTO_SUITES) {
      expect(received[suite], suite).toBeGreaterThan(0);
    }
  });
});
