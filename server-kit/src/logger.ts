import { type Logger, type LoggerOptions, pino } from 'pino';

/** Paths every service redacts: credentials in requests and in the objects it logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'token',
  '*.token',
  '*.password',
  '*.passwordHash',
  'serviceSecret',
  '*.serviceSecret',
];

export interface ServiceLoggerOptions {
  /** Goes on every line as `service`. */
  service: string;
  level?: string;
  /** More paths to redact, besides REDACTED_PATHS. */
  redact?: string[];
  /** Pretty lines (pino-pretty) rather than JSON; by default only when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (pino.destination(2) for stderr); stdout unless set. */
  destination?: pino.DestinationStream;
}

/** The process's root logger: JSON lines, `service` on each, secrets redacted, pretty on a TTY. */
export function createLogger(opts: ServiceLoggerOptions): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY === true;
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: { service: opts.service },
    redact: [...REDACTED_PATHS, ...(opts.redact ?? [])],
    ...(pretty && !opts.destination ? { transport: { target: 'pino-pretty' } } : {}),
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
