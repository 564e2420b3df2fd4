import type { Redis } from 'ioredis';

/** How failed logins turn into refusals; see LoginLimits. */
export interface LoginPolicy {
  /** Failures of one account within `accountWindowMs` that lock it. */
  accountMaxFailures: number;
  accountWindowMs: number;
  /** First lock; each lock after it (while `strikeMemoryMs` remembers the last) doubles, up to `lockMaxMs`. */
  lockBaseMs: number;
  lockMaxMs: number;
  strikeMemoryMs: number;
  /** Failures from one IP within `ipWindowMs` after which that IP is refused (0: no IP limit). */
  ipMaxFailures: number;
  ipWindowMs: number;
}

export interface LoginStatus {
  /** ms left on the account's lock (0: not locked). */
  accountLockedMs: number;
  /** Failures from the IP in its current window, and ms until that window ends. */
  ipFailures: number;
  ipResetMs: number;
}

/**
 * Where failed-login counts live. One interface, two stores (as LeaseStore): Redis when the
 * cluster has one, so a lock taken on one node holds on every node; this process otherwise.
 * Keys are opaque strings chosen by LoginLimits (`player:alice`, `staff:dealer-1`, an IP).
 */
export interface LoginAttemptStore {
  readonly kind: 'redis' | 'local';
  status(account: string | null, ip: string | null): Promise<LoginStatus>;
  /**
   * Counts one failure against the account (when given) and the IP (when given); an account that
   * reaches the policy's threshold is locked. Returns the account's lock now in force (ms, 0: none).
   */
  fail(account: string | null, ip: string | null, policy: LoginPolicy): Promise<number>;
  /** A correct login: the account's failures and strikes are forgotten. The IP's count is left alone. */
  succeed(account: string): Promise<void>;
}

// KEYS: failures, lock, strikes, ip. ARGV: max, windowMs, baseMs, maxMs, memoryMs, ipWindowMs, hasAccount, hasIp.
// One script, so two nodes counting the same account's failures at once lock it exactly once.
const FAIL = `
local locked = 0
if ARGV[7] == '1' then
  local ttl = redis.call('pttl', KEYS[2])
  if ttl > 0 then
    locked = ttl
  else
    local n = redis.call('incr', KEYS[1])
    if n == 1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
    if n >= tonumber(ARGV[1]) then
      local strikes = redis.call('incr', KEYS[3])
      redis.call('pexpire', KEYS[3], ARGV[5])
      local ms = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ math.min(strikes - 1, 30))
      redis.call('set', KEYS[2], '1', 'PX', math.floor(ms))
      redis.call('del', KEYS[1])
      locked = math.floor(ms)
    end
  end
end
if ARGV[8] == '1' then
  local n = redis.call('incr', KEYS[4])
  if n == 1 then redis.call('pexpire', KEYS[4], ARGV[6]) end
end
return locked
`;

/** Counts in Redis: `<prefix>fail:<account>`, `lock:`, `strikes:`, `ip:` keys, each expiring by itself. */
export class RedisLoginAttemptStore implements LoginAttemptStore {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'table-service:login:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  #keys(account: string | null, ip: string | null): [string, string, string, string] {
    const a = account ?? '-';
    return [
      `${this.#prefix}fail:${a}`,
      `${this.#prefix}lock:${a}`,
      `${this.#prefix}strikes:${a}`,
      `${this.#prefix}ip:${ip ?? '-'}`,
    ];
  }

  async status(account: string | null, ip: string | null): Promise<LoginStatus> {
    const [, lock, , ipKey] = this.#keys(account, ip);
    const pipeline = this.#redis.multi().pttl(lock).get(ipKey).pttl(ipKey);
    const replies = (await pipeline.exec()) ?? [];
    const value = (i: number): unknown => {
      const [err, v] = replies[i] ?? [new Error('no reply'), null];
      if (err) throw err;
      return v;
    };
    return {
      accountLockedMs: account === null ? 0 : Math.max(0, Number(value(0))),
      ipFailures: ip === null ? 0 : Number(value(1) ?? 0),
      ipResetMs: ip === null ? 0 : Math.max(0, Number(value(2))),
    };
  }

  async fail(account: string | null, ip: string | null, p: LoginPolicy): Promise<number> {
    const locked = await this.#redis.eval(
      FAIL,
      4,
      ...this.#keys(account, ip),
      String(p.accountMaxFailures),
      String(p.accountWindowMs),
      String(p.lockBaseMs),
      String(p.lockMaxMs),
      String(p.strikeMemoryMs),
      String(p.ipWindowMs),
      account === null ? '0' : '1',
      ip === null ? '0' : '1',
    );
    return Number(locked);
  }

  async succeed(account: string): Promise<void> {
    const [failures, , strikes] = this.#keys(account, null);
    await this.#redis.del(failures, strikes);
  }
}

interface Counter {
  n: number;
  expiresAt: number;
}

/**
 * Counts in this process: the single-node case (no REDIS_URL). Bounded: attackers choose the
 * usernames and (through proxies) the IPs, so past `maxKeys` entries the expired ones are swept and,
 * if that is not enough, the oldest are forgotten.
 */
export class LocalLoginAttemptStore implements LoginAttemptStore {
  readonly kind = 'local';
  readonly #now: () => number;
  readonly #maxKeys: number;
  readonly #failures = new Map<string, Counter>();
  readonly #locks = new Map<string, Counter>();
  readonly #strikes = new Map<string, Counter>();
  readonly #ips = new Map<string, Counter>();

  constructor(opts: { now?: () => number; maxKeys?: number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#maxKeys = opts.maxKeys ?? 100_000;
  }

  #live(map: Map<string, Counter>, key: string | null): Counter | undefined {
    if (key === null) return undefined;
    const c = map.get(key);
    if (c && c.expiresAt <= this.#now()) {
      map.delete(key);
      return undefined;
    }
    return c;
  }

  #incr(map: Map<string, Counter>, key: string, ttlMs: number): number {
    const c = this.#live(map, key);
    if (c) {
      c.n++;
      return c.n;
    }
    if (map.size >= this.#maxKeys) this.#sweep(map);
    map.set(key, { n: 1, expiresAt: this.#now() + ttlMs });
    return 1;
  }

  #sweep(map: Map<string, Counter>): void {
    const now = this.#now();
    for (const [k, c] of map) if (c.expiresAt <= now) map.delete(k);
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const k of map.keys()) {
      if (map.size < this.#maxKeys) break;
      map.delete(k);
    }
  }

  async status(account: string | null, ip: string | null): Promise<LoginStatus> {
    const now = this.#now();
    const lock = this.#live(this.#locks, account);
    const ipCount = this.#live(this.#ips, ip);
    return {
      accountLockedMs: lock ? lock.expiresAt - now : 0,
      ipFailures: ipCount?.n ?? 0,
      ipResetMs: ipCount ? ipCount.expiresAt - now : 0,
    };
  }

  async fail(account: string | null, ip: string | null, p: LoginPolicy): Promise<number> {
    let locked = 0;
    if (account !== null) {
      const lock = this.#live(this.#locks, account);
      if (lock) {
        locked = lock.expiresAt - this.#now();
      } else if (this.#incr(this.#failures, account, p.accountWindowMs) >= p.accountMaxFailures) {
        const strikes = this.#incr(this.#strikes, account, p.strikeMemoryMs);
        this.#strikes.get(account)!.expiresAt = this.#now() + p.strikeMemoryMs;
        locked = Math.floor(Math.min(p.lockMaxMs, p.lockBaseMs * 2 ** Math.min(strikes - 1, 30)));
        if (this.#locks.size >= this.#maxKeys) this.#sweep(this.#locks);
        this.#locks.set(account, { n: 1, expiresAt: this.#now() + locked });
        this.#failures.delete(account);
      }
    }
    if (ip !== null) this.#incr(this.#ips, ip, p.ipWindowMs);
    return locked;
  }

  async succeed(account: string): Promise<void> {
    this.#failures.delete(account);
    this.#strikes.delete(account);
  }
}
