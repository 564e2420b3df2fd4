import { isIPv6 } from 'node:net';
import { AppError } from '@live-casino/protocol';
import type { Logger } from 'pino';
import type { LoginAttemptStore, LoginPolicy } from './LoginAttemptStore.js';

export const DEFAULT_LOGIN_POLICY: LoginPolicy = {
  accountMaxFailures: 5,
  accountWindowMs: 15 * 60_000,
  lockBaseMs: 60_000,
  lockMaxMs: 60 * 60_000,
  strikeMemoryMs: 24 * 60 * 60_000,
  ipMaxFailures: 100,
  ipWindowMs: 60_000,
};

export interface LoginLimitsOptions {
  store: LoginAttemptStore;
  policy?: Partial<LoginPolicy>;
  log?: Logger;
}

export interface LoginAttempt {
  /** The account named (`player:<username>`, `staff:<id>`), known or not: unknown names lock the same way. */
  account: string;
  /** The client's address (`request.ip`: with TRUST_PROXY, the one the proxy saw). */
  ip: string;
  /**
   * Service accounts (vision, sfu) are never locked nor refused for their IP: a lock would let any
   * player who guesses the id stop the platform, and their secrets are machine-generated (guessing is
   * hopeless). Their failures still count against the IP, so spraying them buys nothing.
   */
  exempt?: boolean;
}

/**
 * Failed logins, counted per account and per IP (issue 10, point 4). A few wrong passwords lock
 * that account only, for a time that doubles with each lock; an IP is refused only after many
 * failures (players behind one NAT or proxy share it), and a correct login never counts against it.
 * Checked before the password, so a locked account costs no scrypt and a lock tells nothing about
 * the password.
 *
 * Concurrent attempts on one account may all pass the check before the first failure is counted:
 * the overshoot is bounded by the client's concurrency, which the IP limit bounds in turn.
 */
export class LoginLimits {
  readonly policy: LoginPolicy;
  readonly #store: LoginAttemptStore;
  readonly #log: Logger | undefined;

  constructor(opts: LoginLimitsOptions) {
    this.policy = { ...DEFAULT_LOGIN_POLICY, ...opts.policy };
    this.#store = opts.store;
    this.#log = opts.log;
  }

  get storeKind(): LoginAttemptStore['kind'] {
    return this.#store.kind;
  }

  /**
   * Runs `verify` (which throws AUTH_BAD_CREDENTIALS for wrong credentials) unless the account is
   * locked (AUTH_ACCOUNT_LOCKED) or the IP has failed too often (RATE_LIMITED), and counts its outcome.
   */
  async attempt<T>(attempt: LoginAttempt, verify: () => Promise<T>): Promise<T> {
    const ip = ipKey(attempt.ip);
    const accountLimited = !attempt.exempt && this.policy.accountMaxFailures > 0;
    const ipLimited = !attempt.exempt && this.policy.ipMaxFailures > 0;
    const account = accountLimited ? attempt.account : null;
    const countIp = this.policy.ipMaxFailures > 0 ? ip : null;

    if (account !== null || ipLimited) {
      const status = await this.#guarded(() => this.#store.status(account, ipLimited ? ip : null));
      if (ipLimited && status.ipFailures >= this.policy.ipMaxFailures) {
        const retryAfterS = seconds(status.ipResetMs);
        throw new AppError('RATE_LIMITED', `too many failed logins from this address: retry in ${retryAfterS} s`, {
          retryAfterS,
        });
      }
      if (status.accountLockedMs > 0) {
        // Still a failed attempt from this IP (no password was checked, so nothing else is counted).
        await this.#guarded(() => this.#store.fail(null, countIp, this.policy));
        throw locked(status.accountLockedMs);
      }
    }

    let result: T;
    try {
      result = await verify();
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'AUTH_BAD_CREDENTIALS') throw err;
      const lockedMs = await this.#guarded(() => this.#store.fail(account, countIp, this.policy));
      if (attempt.exempt) this.#log?.warn({ account: attempt.account, ip }, 'service login failed');
      if (lockedMs > 0) {
        this.#log?.warn({ account: attempt.account, ip, lockedMs }, 'account locked after failed logins');
        throw locked(lockedMs);
      }
      throw err;
    }
    if (account !== null) await this.#guarded(() => this.#store.succeed(account));
    return result;
  }

  /**
   * A store that cannot answer refuses the login (503) rather than letting it through: a limiter
   * that gives up when its store does is one an attacker can switch off.
   */
  async #guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.#log?.error({ err }, 'login limit store failed');
      throw new AppError('SERVICE_UNAVAILABLE', 'login is unavailable: try again shortly');
    }
  }
}

function locked(ms: number): AppError {
  const retryAfterS = seconds(ms);
  return new AppError('AUTH_ACCOUNT_LOCKED', `too many failed logins for this account: retry in ${retryAfterS} s`, {
    retryAfterS,
  });
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The key an address is counted under: IPv4 as is, IPv6 by its /64 (one subscriber's prefix: an
 * attacker gets 2^64 addresses for free, but rarely more than one /64).
 */
export function ipKey(ip: string): string {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4mapped) return v4mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
