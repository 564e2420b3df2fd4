import { defineConfig } from 'vitest/config';
import { mediasoupWorkerBin } from './scripts/mediasoup-worker/workerBin.mjs';

export default defineConfig({
  // Workspace packages from their TypeScript sources, not their dist (tests run in Vite's SSR
  // resolver, which takes its own conditions).
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['*/test/**/*.test.ts', '*/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'e2e/**'],
    // Integration tests run the real mediasoup worker built by scripts/mediasoup-worker/build.sh.
    env: { MEDIASOUP_WORKER_BIN: mediasoupWorkerBin() },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
