import path from 'node:path';
import { type PlatformOptions, REPO_ROOT } from '@live-casino/testing/platform';

/**
 * Shifts every port (E2E_PORT_OFFSET=100: 18180, 14543, ...), so that two checkouts can run their
 * end-to-end tests side by side on one machine.
 */
const OFFSET = portOffset(process.env.E2E_PORT_OFFSET);

function portOffset(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 9_000)
    throw new Error(`E2E_PORT_OFFSET must be an integer 0-9000, got ${raw}`);
  return n;
}

/** Ports of their own, so the tests never collide with a platform started by `npm start`. */
export const E2E_PLATFORM = {
  options: {
    dataDir: path.join(REPO_ROOT, '.data/e2e'),
    tableServicePort: 18080 + OFFSET,
    sfuPort: 14443 + OFFSET,
    sfuInternalPort: 14444 + OFFSET,
    // One RTC port range per offset step of 1000 at most: ranges of side-by-side runs never overlap.
    rtcMinPort: 45000 + OFFSET,
    rtcMaxPort: 45999 + OFFSET,
    output: 'quiet',
    logLevel: 'warn',
    // Short stream tokens, so every video test lives through grant refreshes (viewers and studio).
    // demo1..demo240: the crowd test (bettingCrowd.spec.ts) signs in 203 players of its own.
    env: { STREAM_TOKEN_TTL_S: '20', DEMO_PLAYERS: '240' },
  } satisfies PlatformOptions,
  urls: {
    tableService: `http://127.0.0.1:${18080 + OFFSET}`,
    sfu: `http://127.0.0.1:${14443 + OFFSET}`,
    sfuInternal: `http://127.0.0.1:${14444 + OFFSET}`,
  },
};
