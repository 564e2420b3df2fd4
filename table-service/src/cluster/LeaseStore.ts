import type { Redis } from 'ioredis';

/**
 * Where table leases live. A lease is a key naming its owner node that expires unless renewed;
 * every write is conditional on the owner, so a node can only extend or drop its own lease.
 */
export interface LeaseStore {
  readonly kind: 'redis' | 'local';
  /** Takes the lease iff nobody holds it. */
  acquire(tableId: string, nodeId: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease iff `nodeId` still holds it. */
  renew(tableId: string, nodeId: string, ttlMs: number): Promise<boolean>;
  /** Drops the lease iff `nodeId` holds it. */
  release(tableId: string, nodeId: string): Promise<boolean>;
  /** Current holder of each table's lease (null: free). */
  owners(tableIds: readonly string[]): Promise<(string | null)[]>;
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Leases as Redis keys: `SET NX PX` to take, Lua compare-and-pexpire to renew, compare-and-del to release. */
export class RedisLeaseStore implements LeaseStore {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'table-service:lease:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  key(tableId: string): string {
    return `${this.#prefix}${tableId}`;
  }

  async acquire(tableId: string, nodeId: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.key(tableId), nodeId, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renew(tableId: string, nodeId: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.eval(RENEW, 1, this.key(tableId), nodeId, String(ttlMs))) === 1;
  }

  async release(tableId: string, nodeId: string): Promise<boolean> {
    return (await this.#redis.eval(RELEASE, 1, this.key(tableId), nodeId)) === 1;
  }

  async owners(tableIds: readonly string[]): Promise<(string | null)[]> {
    if (tableIds.length === 0) return [];
    return this.#redis.mget(tableIds.map((t) => this.key(t)));
  }
}

/**
 * Leases held in this process: the single-node case (no REDIS_URL). Without Redis there is no
 * socket.io fan-out either, so a node without REDIS_URL is alone by construction and owns every
 * table; it still goes through the same acquire → recover → act path as a cluster node.
 */
export class LocalLeaseStore implements LeaseStore {
  readonly kind = 'local';
  readonly #leases = new Map<string, { nodeId: string; expiresAt: number }>();

  #holder(tableId: string): string | null {
    const lease = this.#leases.get(tableId);
    return lease && lease.expiresAt > Date.now() ? lease.nodeId : null;
  }

  async acquire(tableId: string, nodeId: string, ttlMs: number): Promise<boolean> {
    if (this.#holder(tableId) !== null) return false;
    this.#leases.set(tableId, { nodeId, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async renew(tableId: string, nodeId: string, ttlMs: number): Promise<boolean> {
    if (this.#holder(tableId) !== nodeId) return false;
    this.#leases.set(tableId, { nodeId, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async release(tableId: string, nodeId: string): Promise<boolean> {
    if (this.#holder(tableId) !== nodeId) return false;
    this.#leases.delete(tableId);
    return true;
  }

  async owners(tableIds: readonly string[]): Promise<(string | null)[]> {
    return tableIds.map((t) => this.#holder(t));
  }
}
