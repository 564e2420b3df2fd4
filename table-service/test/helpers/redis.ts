import { execFileSync } from 'node:child_process';
import { waitFor } from '@live-casino/testing';
import { Redis } from 'ioredis';

/** The Redis the cluster, login-limit and metrics suites run against. */
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

async function ping(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The refusal is the answer; without a listener ioredis also prints it as unhandled.
  r.on('error', () => {});
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/**
 * Whether a suite that needs Redis can run: Redis at REDIS_URL answers (with `start`, a loopback
 * redis-server is started first when nothing does). Without one, a developer's run skips the suite
 * with a warning; with `CI` set it is an error, so that CI never passes on suites that did not run.
 */
export async function redisForSuite(suite: string, opts: { start?: boolean } = {}): Promise<boolean> {
  if (await ping()) return true;
  if (opts.start) {
    try {
      execFileSync('redis-server', [
        '--bind',
        '127.0.0.1',
        '--port',
        '6379',
        '--daemonize',
        'yes',
        '--save',
        '',
        '--appendonly',
        'no',
      ]);
      // Waited for, not counted in polls: a loaded machine may take more than a moment to start it.
      await waitFor('redis-server to answer', async () => ((await ping()) ? true : undefined), 10_000, 100);
      return true;
    } catch {
      // No redis-server on this machine, or it never answered.
    }
  }
  if (process.env.CI) {
    throw new Error(`${suite}: no Redis at ${REDIS_URL}, and CI is set: a suite that needs Redis must run`);
  }
  console.warn(`${suite} SKIPPED: no Redis at ${REDIS_URL}`);
  return false;
}
