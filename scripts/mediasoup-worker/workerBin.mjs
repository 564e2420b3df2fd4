// Where scripts/mediasoup-worker/build.sh caches the worker it builds, for whoever starts one
// (vitest.config.ts, the platform launcher). Plain JavaScript with no workspace import: the vitest
// config loads it before anything is built.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function mediasoupWorkerBin() {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  // The cache is keyed by mediasoup's version (build.sh writes it).
  const pkg = readFileSyncSafe(path.join(REPO_ROOT, 'node_modules/mediasoup/package.json')) ?? '{"version":"unknown"}';
  const version = JSON.parse(pkg).version;
  const cache =
    process.env.MEDIASOUP_WORKER_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'live-casino/mediasoup-worker');
  return path.join(cache, version, 'mediasoup-worker');
}

function readFileSyncSafe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
