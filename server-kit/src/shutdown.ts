import type { Logger } from 'pino';

export interface ShutdownOptions {
  /** Named in the log line. */
  service: string;
  log: Pick<Logger, 'info' | 'error'>;
  /** Stops intake, finishes in-flight work, closes pools. */
  close: () => Promise<unknown>;
  /** Exits anyway after this long: a close that hangs must not keep a stopped service alive. */
  timeoutMs?: number;
  signals?: readonly NodeJS.Signals[];
  /** process.exit unless set (tests). */
  exit?: (code: number) => void;
}

/**
 * Graceful shutdown on SIGINT / SIGTERM: the first signal runs `close` once, then exits 0 (a close
 * that failed is logged); later signals are ignored while it runs.
 */
export function onShutdownSignal(opts: ShutdownOptions): { shutdown: (signal: string) => Promise<void> } {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;
  const shutdown = (signal: string): Promise<void> => {
    running ??= (async () => {
      opts.log.info({ signal }, `${opts.service} shutting down`);
      if (opts.timeoutMs !== undefined) setTimeout(() => exit(0), opts.timeoutMs).unref();
      try {
        await opts.close();
      } catch (err) {
        opts.log.error({ err }, `${opts.service} did not close cleanly`);
      }
      exit(0);
    })();
    return running;
  };
  for (const signal of opts.signals ?? (['SIGINT', 'SIGTERM'] as const)) {
    process.on(signal, () => void shutdown(signal));
  }
  return { shutdown };
}
