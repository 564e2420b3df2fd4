import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import { LocalLeaseStore, type LeaseStore, RedisLeaseStore } from './LeaseStore.js';

/**
 * The shared parts of a multi-node deployment: with REDIS_URL, a socket.io Redis streams adapter
 * (round events reach players on every node) and Redis table leases; without it, one node alone
 * with the in-memory adapter and in-process leases.
 */
export class Cluster {
  readonly store: LeaseStore;
  readonly adapter: ServerOptions['adapter'] | undefined;
  /** For shared counters (the auth rate limit); its own connection, so floods cannot delay lease renewals. */
  readonly redis: Redis | undefined;
  readonly #clients: Redis[];

  private constructor(
    store: LeaseStore,
    adapter: ServerOptions['adapter'] | undefined,
    clients: Redis[],
    redis?: Redis,
  ) {
    this.store = store;
    this.adapter = adapter;
    this.#clients = clients;
    this.redis = redis;
  }

  static async create({ redisUrl, leaseMs }: { redisUrl: string | undefined; leaseMs: number }): Promise<Cluster> {
    if (!redisUrl) return new Cluster(new LocalLeaseStore(), undefined, []);
    // Two connections: the adapter's (its duplicates block on XREAD for seconds) and the leases',
    // whose requests must fail fast so a stalled Redis cannot hold a renewal past the lease.
    const pub = new Redis(redisUrl, { lazyConnect: true });
    const leases = new Redis(redisUrl, {
      lazyConnect: true,
      commandTimeout: Math.max(100, Math.floor(leaseMs / 3)),
      maxRetriesPerRequest: 1,
    });
    const shared = new Redis(redisUrl, { lazyConnect: true, commandTimeout: 1000, maxRetriesPerRequest: 1 });
    try {
      await Promise.all([pub.connect(), leases.connect(), shared.connect()]);
    } catch (err) {
      pub.disconnect();
      leases.disconnect();
      shared.disconnect();
      throw new Error(`cannot reach Redis at REDIS_URL: ${(err as Error).message}`);
    }
    const adapter = createAdapter(pub, { streamName: 'table-service:socket.io' }) as ServerOptions['adapter'];
    return new Cluster(new RedisLeaseStore(leases), adapter, [pub, leases, shared], shared);
  }

  async close(): Promise<void> {
    await Promise.all(this.#clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
