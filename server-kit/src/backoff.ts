/**
 * Exponential backoff: the delay before retry number `attempt` (0 for the first retry) is
 * `initialMs * factor ** attempt`, capped at `maxMs`, less up to `jitter` of itself at random so
 * that many clients that failed together do not retry together.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 2 unless set. */
  factor?: number;
  /** Fraction of the delay taken off at random, 0..1; 0 (none) unless set. */
  jitter?: number;
}

/** Enough doublings to pass any cap; keeps `0 * Infinity` (NaN) out of the arithmetic. */
const MAX_EXPONENT = 64;

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor = 2, jitter = 0 } = policy;
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt)));
  const base = Math.min(maxMs, initialMs * factor ** exponent);
  return jitter > 0 ? Math.round(base * (1 - jitter * random())) : base;
}

/** Resolves after `ms`, or as soon as `signal` aborts (without throwing: callers check why they woke). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions extends BackoffPolicy {
  /** Stops retrying: the last error is thrown once the pending sleep ends. */
  signal?: AbortSignal;
  /** Asked before each retry; `false` rethrows the error. */
  retryIf?: (err: unknown, failures: number) => boolean;
  /** Told of each failure that will be retried, with the delay before the retry. */
  onRetry?: (err: unknown, failures: number, delayMs: number) => void;
  /** The backoff attempt of the first retry; 0 unless set (1 skips the shortest delay). */
  firstAttempt?: number;
  random?: () => number;
}

/**
 * Runs `task` until it resolves, sleeping the backoff delay after each failure. Gives up (throws
 * the last error) when `retryIf` says so or `signal` aborts.
 */
export async function retry<T>(task: (failures: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const first = opts.firstAttempt ?? 0;
  for (let failures = 0; ; ) {
    try {
      return await task(failures);
    } catch (err) {
      failures++;
      if (opts.signal?.aborted || (opts.retryIf && !opts.retryIf(err, failures))) throw err;
      const delayMs = backoffDelay(first + failures - 1, opts, opts.random);
      opts.onRetry?.(err, failures, delayMs);
      await sleep(delayMs, opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}
