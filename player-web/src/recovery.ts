import { assertUnreachable, type ViewerError, type ViewerErrorCode } from './viewerErrors.js';

/**
 * How the player recovers: every trouble tears the session down and joins again with a fresh
 * grant, after an exponential backoff; only a table that is not live yet is waited on in place
 * (the sfu announces `producerAdded` on the joined socket). Pure, so it is tested without a
 * browser; TableClient owns the timers.
 */

export const BACKOFF = { initialMs: 250, maxMs: 4000, factor: 2, jitter: 0.2 } as const;

/**
 * Delay before retry number `attempt` (0-based): 250, 500, 1000, 2000, 4000, 4000... minus up to
 * 20 % jitter, so that thousands of viewers thrown out by one dead worker do not rejoin in step.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * BACKOFF.factor ** Math.max(0, attempt));
  return Math.round(base * (1 - BACKOFF.jitter * random()));
}

/** Playing this long without trouble forgives earlier failures: the next one retries fast again. */
export const HEALTHY_AFTER_MS = 3000;
/** ICE `disconnected` often heals by itself; longer than this and the session is rebuilt. */
export const DISCONNECTED_GRACE_MS = 2000;
/** No new frame for this long while visible and unpaused: the stream is dead even if nothing said so. */
export const STALL_MS = { webrtc: 3000, hls: 6000 } as const;

export type Trouble =
  | { kind: 'mediaReset'; reason: string }
  | { kind: 'transport'; state: 'failed' | 'disconnected' }
  | { kind: 'socket'; reason: string }
  | { kind: 'consumerClosed'; reason: 'transportclose' | 'producerclose' | 'trackended' }
  | { kind: 'stalled'; forMs: number }
  | { kind: 'error'; error: ViewerError };

export type RecoveryAction =
  /** Tear down, wait `delayMs`, fetch a fresh grant and join again. */
  | 'rejoin'
  /** Keep the joined socket; ask to consume again on `producerAdded` or after `delayMs`. */
  | 'awaitProducer'
  /** Nothing a retry can fix: show the problem until the user acts. */
  | 'giveUp';

export interface RecoveryPlan {
  action: RecoveryAction;
  delayMs: number;
  /** What goes in `lastError`. */
  error: ViewerError;
  /** Whether the player is shown the error now (transient blips are not worth a message). */
  showToUser: boolean;
}

/** Failures that repeat identically on every retry. */
const FINAL: ReadonlySet<ViewerErrorCode> = new Set<ViewerErrorCode>([
  'TABLE_NOT_FOUND',
  'AUTH_WRONG_TABLE',
  'AUTH_FORBIDDEN_ROLE',
  'MEDIA_UNSUPPORTED',
]);
const CANNOT_CONSUME_TRIES = 3;

/** Network failures are only worth telling after this many retries in a row failed. */
const TELL_AFTER_ATTEMPTS = 2;

export function troubleToError(trouble: Trouble): ViewerError {
  switch (trouble.kind) {
    case 'mediaReset':
      return { code: 'MEDIA_RESET', message: `the table's media was rebuilt: ${trouble.reason}` };
    case 'transport':
      return { code: 'ICE_FAILED', message: `media transport ${trouble.state}` };
    case 'socket':
      return { code: 'SFU_UNREACHABLE', message: `signalling socket: ${trouble.reason}` };
    case 'consumerClosed':
      return { code: 'MEDIA_RESET', message: `consumer closed (${trouble.reason})` };
    case 'stalled':
      return { code: 'STALLED', message: `no video frame for ${Math.round(trouble.forMs)} ms` };
    case 'error':
      return trouble.error;
    default:
      return assertUnreachable(trouble);
  }
}

export function planRecovery(
  trouble: Trouble,
  attempt: number,
  mode: 'webrtc' | 'hls',
  random: () => number = Math.random,
): RecoveryPlan {
  const error = troubleToError(trouble);
  const delayMs = backoffDelay(attempt, random);
  if (FINAL.has(error.code)) return { action: 'giveUp', delayMs: 0, error, showToUser: true };
  switch (error.code) {
    case 'MEDIA_CANNOT_CONSUME':
      // Usually this browser lacks the codec (final), but a router still being rebuilt after a
      // worker died answers the same for a moment: give it a few tries first.
      return attempt < CANNOT_CONSUME_TRIES
        ? { action: 'rejoin', delayMs, error, showToUser: false }
        : { action: 'giveUp', delayMs: 0, error, showToUser: true };
    case 'TABLE_NOT_LIVE':
      return { action: mode === 'webrtc' ? 'awaitProducer' : 'rejoin', delayMs, error, showToUser: true };
    case 'RATE_LIMITED':
    case 'SERVICE_UNAVAILABLE':
      return { action: 'rejoin', delayMs: Math.max(delayMs, 2000), error, showToUser: true };
    case 'AUTOPLAY_BLOCKED':
      // Not a failure of the session: it waits for a tap, see TableClient.play().
      return { action: 'giveUp', delayMs: 0, error, showToUser: true };
    case 'AUTH_TOKEN_EXPIRED':
    case 'AUTH_TOKEN_INVALID':
    case 'AUTH_TOKEN_MISSING':
      // A fresh grant fixes these; tell the user only when it keeps happening.
      return { action: 'rejoin', delayMs, error, showToUser: attempt >= TELL_AFTER_ATTEMPTS };
    case 'MEDIA_RESET':
      // The server rebuilt the table on purpose and asked us back: come back at once, quietly.
      return {
        action: 'rejoin',
        delayMs: trouble.kind === 'mediaReset' && attempt === 0 ? 0 : delayMs,
        error,
        showToUser: false,
      };
    default:
      return { action: 'rejoin', delayMs, error, showToUser: attempt >= TELL_AFTER_ATTEMPTS };
  }
}

/**
 * The retry counter behind the backoff. It is forgiven only after a stretch of healthy playback,
 * so a stream that dies right after its first frame does not retry at full speed forever.
 */
export class RetryCounter {
  #attempt = 0;
  #playingSince: number | null = null;

  get attempt(): number {
    return this.#attempt;
  }

  /** A retry is scheduled. */
  failed(): void {
    this.#attempt++;
    this.#playingSince = null;
  }

  /** A frame was presented at `now` (ms, any monotonic clock). */
  frame(now: number): void {
    if (this.#playingSince === null) this.#playingSince = now;
    else if (now - this.#playingSince >= HEALTHY_AFTER_MS) this.#attempt = 0;
  }

  reset(): void {
    this.#attempt = 0;
    this.#playingSince = null;
  }
}
