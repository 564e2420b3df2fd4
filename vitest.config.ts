import { defineConfig } from 'vitest/config';
import { mediasoupWorkerBin } from './scripts/mediasoup-worker/workerBin.mjs';

const TESTS = ['*/test/**/*.test.ts', '*/src/**/*.test.ts'];
const NEVER = ['**/node_modules/**', '**/dist/**', 'e2e/**'];

/**
 * Tiers (issue 15, point 5). `unit` is every test not listed below: pure logic, local servers on
 * loopback, worker threads, nothing that needs a service. `integration`: real PostgreSQL, Redis,
 * mediasoup, ffmpeg, or services as child processes. `acceptance`: long end-to-end runs of the
 * whole platform, run last and alone (scripts/test.sh) so they do not compete for CPU.
 * scripts/test/testTiers.test.ts fails when a test that starts a service is left in `unit`.
 */
export const ACCEPTANCE_TESTS = ['vision/test/liveAcceptance.test.ts', 'load-tests/test/pastPosting.attack.test.ts'];

export const INTEGRATION_TESTS = [
  // Real mediasoup workers (and ffmpeg for HLS).
  'sfu/test/{delayMeasurement,egress,hlsEgress,hlsStudioTime,placement,signalling,stats}.test.ts',
  'sfu/test/{streamAccess,workerBinary,workerRestart,senderReportClock,thumbnails}.test.ts',
  'media/test/ivf.test.ts',
  'load-tests/test/DatachannelViewer.test.ts',
  'vision/test/{liveFrames,liveFramesAuth}.test.ts',
  // ffmpeg (the encoder, the decoder), and the publisher against a real sfu and table-service.
  'studio/test/{IvfReader,Vp8Encoder,TableFeed.integration,publisherRefresh}.test.ts',
  // PostgreSQL (and Redis for the cluster suites); some start the service as a child process.
  'table-service/test/{auth.fuzz,auth,authOrder,authRoutes,balance,betBatch,cluster,crashService}.test.ts',
  'table-service/test/{crashSettlement,db,ledger.property,ledger,ledgerCheck,lobby,loginLimits}.test.ts',
  'table-service/test/{metrics,opsPort,rateLimit,rounds.history,rounds,service,streamGrants}.test.ts',
  'table-service/test/{visionCheck.cluster,visionCheck.dealer,visionCheck,windowHardening,contract,chat}.test.ts',
  // The clients, and the vision worker's session, against a real table-service.
  'clients/test/tableServiceClient.test.ts',
  'vision/test/liveWorkerSession.test.ts',
];

export default defineConfig({
  // Workspace packages from their TypeScript sources, not their dist (tests run in Vite's SSR
  // resolver, which takes its own conditions).
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    exclude: NEVER,
    // Integration tests run the real mediasoup worker built by scripts/mediasoup-worker/build.sh.
    env: { MEDIASOUP_WORKER_BIN: mediasoupWorkerBin() },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: TESTS, exclude: [...NEVER, ...INTEGRATION_TESTS, ...ACCEPTANCE_TESTS] },
      },
      { extends: true, test: { name: 'integration', include: INTEGRATION_TESTS, exclude: NEVER } },
      { extends: true, test: { name: 'acceptance', include: ACCEPTANCE_TESTS, exclude: NEVER } },
    ],
  },
});
