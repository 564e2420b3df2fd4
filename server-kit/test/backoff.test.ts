import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retry, sleep } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('doubles from initialMs up to maxMs', () => {
    const policy = { initialMs: 250, maxMs: 5000 };
    expect([0, 1, 2, 3, 4, 5, 6, 1000].map((a) => backoffDelay(a, policy))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('never leaves [initialMs * (1 - jitter), maxMs], whatever the attempt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (attempt, initialMs, extra, jitter, r) => {
          const maxMs = initialMs + extra;
          const d = backoffDelay(attempt, { initialMs, maxMs, jitter }, () => r);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeLessThanOrEqual(maxMs);
          expect(d).toBeGreaterThanOrEqual(Math.floor(initialMs * (1 - jitter)));
        },
      ),
    );
  });

  it('grows monotonically without jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), (a) => {
        const policy = { initialMs: 100, maxMs: 10_000, factor: 3 };
        expect(backoffDelay(a + 1, policy)).toBeGreaterThanOrEqual(backoffDelay(a, policy));
      }),
    );
  });
});

describe('sleep', () => {
  it('wakes early when aborted', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const slept = sleep(10_000, ac.signal);
    setTimeout(() => ac.abort(), 10);
    await slept;
    expect(Date.now() - t0).toBeLessThan(5000);
    await sleep(10_000, ac.signal); // already aborted: at once
  });
});

describe('retry', () => {
  it('retries until the task succeeds, reporting each delay', async () => {
    const delays: number[] = [];
    const value = await retry(
      async (failures) => {
        if (failures < 3) throw new Error(`boom ${failures}`);
        return failures;
      },
      { initialMs: 1, maxMs: 3, onRetry: (_err, _n, ms) => delays.push(ms) },
    );
    expect(value).toBe(3);
    expect(delays).toEqual([1, 2, 3]);
  });

  it('starts at firstAttempt', async () => {
    const delays: number[] = [];
    await retry(
      async (failures) => {
        if (failures < 2) throw new Error('boom');
      },
      { initialMs: 1, maxMs: 100, firstAttempt: 2, onRetry: (_e, _n, ms) => delays.push(ms) },
    );
    expect(delays).toEqual([4, 8]);
  });

  it('gives up with the last error when retryIf refuses or the signal aborts', async () => {
    await expect(
      retry(
        async () => {
          throw new Error('fatal');
        },
        { initialMs: 1, maxMs: 1, retryIf: (_e, n) => n < 3 },
      ),
    ).rejects.toThrow('fatal');
    const ac = new AbortController();
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        throw new Error('down');
      },
      { initialMs: 60_000, maxMs: 60_000, signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 10);
    await expect(run).rejects.toThrow('down');
    expect(calls).toBe(1);
  });
});
