import type { TableRequestName } from '@live-casino/protocol';

/** A token bucket: `burst` requests at once, then `ratePerS` a second. `ratePerS` 0: no limit. */
export interface BucketSpec {
  ratePerS: number;
  burst: number;
}

/** The buckets of one socket: every request takes from `all`, and from its own bucket if it has one. */
export interface SocketRateLimitsConfig {
  all: BucketSpec;
  placeBet: BucketSpec;
  cancelBet: BucketSpec;
  reportDelay: BucketSpec;
  sendChat: BucketSpec;
}

/**
 * Defaults: a player clicking chips fast places a few bets a second (a burst of 40 covers a rebet
 * of a full layout); a player reports their delay once a second or so; chat is per sender too (src/chat/Chat.ts), and
 * the socket's bucket stops a flood before it costs a query; nothing else is frequent.
 */
export const DEFAULT_SOCKET_RATE_LIMITS: SocketRateLimitsConfig = {
  all: { ratePerS: 50, burst: 100 },
  placeBet: { ratePerS: 20, burst: 40 },
  cancelBet: { ratePerS: 10, burst: 20 },
  reportDelay: { ratePerS: 2, burst: 4 },
  sendChat: { ratePerS: 1 / 3, burst: 5 },
};

class TokenBucket {
  readonly #spec: BucketSpec;
  #tokens: number;
  #at: number;

  constructor(spec: BucketSpec, now: number) {
    this.#spec = spec;
    this.#tokens = spec.burst;
    this.#at = now;
  }

  /** ms until a token is there (0: one is there now). */
  waitMs(now: number): number {
    if (this.#spec.ratePerS <= 0) return 0;
    this.#tokens = Math.min(this.#spec.burst, this.#tokens + ((now - this.#at) * this.#spec.ratePerS) / 1000);
    this.#at = now;
    return this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * 1000) / this.#spec.ratePerS;
  }

  take(): void {
    if (this.#spec.ratePerS > 0) this.#tokens -= 1;
  }
}

/**
 * The rate limits of one socket (issue 10, point 6): checked before anything else is done for a
 * request (no session check, no database), so a flood costs the server a few arithmetic operations
 * per event. Pure: time is passed in.
 */
export class SocketRateLimits {
  readonly #all: TokenBucket;
  readonly #own: Partial<Record<TableRequestName, TokenBucket>>;

  constructor(config: SocketRateLimitsConfig, now: number) {
    this.#all = new TokenBucket(config.all, now);
    this.#own = {
      placeBet: new TokenBucket(config.placeBet, now),
      cancelBet: new TokenBucket(config.cancelBet, now),
      reportDelay: new TokenBucket(config.reportDelay, now),
      sendChat: new TokenBucket(config.sendChat, now),
    };
  }

  /**
   * Takes a token for `name` and answers 0, or answers how many ms until one is there and takes
   * nothing (a refused request does not push the next one further out).
   */
  take(name: TableRequestName, now: number): number {
    const own = this.#own[name];
    const wait = Math.max(this.#all.waitMs(now), own?.waitMs(now) ?? 0);
    if (wait > 0) return wait;
    this.#all.take();
    own?.take();
    return 0;
  }
}
