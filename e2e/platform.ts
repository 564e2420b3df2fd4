import path from 'node:path';
import { type PlatformOptions, REPO_ROOT } from '@live-casino/testing/platform';

/** Ports of their own, so the tests never collide with a platform started by `npm start`. */
export const E2E_PLATFORM = {
  options: {
    dataDir: path.join(REPO_ROOT, '.data/e2e'),
    tableServicePort: 18080,
    sfuPort: 14443,
    sfuInternalPort: 14444,
    rtcMinPort: 45000,
    rtcMaxPort: 45999,
    output: 'quiet',
    logLevel: 'warn',
    // Short stream tokens, so every video test lives through grant refreshes (viewers and studio).
    env: { STREAM_TOKEN_TTL_S: '20' },
  } satisfies PlatformOptions,
  urls: {
    tableService: 'http://127.0.0.1:18080',
    sfu: 'http://127.0.0.1:14443',
    sfuInternal: 'http://127.0.0.1:14444',
  },
};
