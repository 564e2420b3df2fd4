import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { backoffDelay } from '@live-casino/server-kit';

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  log: Logger;
  /** Delay before a dead worker is replaced; doubled on each consecutive death, capped. */
  restartDelayMs?: number;
}

export interface PooledWorker {
  index: number;
  worker: ms.Worker;
  /** Routers (of any table) living on this worker, to balance new ones. */
  routers: number;
  /** Viewers (of any table) whose transports live on this worker. */
  viewers: number;
  /** CPU of the worker process over the last sample, in percent of one core. */
  cpuPercent: number;
}

export type WorkerPoolEvents = {
  /** A worker died and was replaced; everything that lived on `index` is gone. */
  workerreplaced: [index: number, worker: PooledWorker];
  workerdied: [index: number, error: Error];
};

/**
 * One mediasoup Worker per core. A worker that dies is replaced at the same index, and listeners
 * rebuild what lived on it (mediasoup closes its routers, so nothing is left half-open).
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #opts: WorkerPoolOptions;
  readonly #workers: PooledWorker[] = [];
  readonly #log: Logger;
  #closed = false;
  #cpuTimer: NodeJS.Timeout | undefined;
  readonly #lastUsage = new Map<number, { at: number; cpuMs: number }>();
  readonly #consecutiveDeaths = new Map<number, number>();

  private constructor(opts: WorkerPoolOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'worker-pool' });
  }

  static async create(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    for (let i = 0; i < opts.size; i++) pool.#workers.push(await pool.#spawn(i));
    pool.#cpuTimer = setInterval(() => void pool.#sampleCpu(), 2000);
    pool.#cpuTimer.unref();
    return pool;
  }

  get workers(): readonly PooledWorker[] {
    return this.#workers;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The live worker with the lowest score (by default: fewest routers, then fewest viewers). The
   * score lets callers weigh what they place: viewer routers weigh viewers, origins weigh routers.
   */
  pick(score: (w: PooledWorker) => number = (w) => w.routers * 1e6 + w.viewers): PooledWorker {
    let best: PooledWorker | undefined;
    for (const w of this.#workers) {
      if (w.worker.closed) continue;
      if (!best || score(w) < score(best)) best = w;
    }
    if (!best) throw new Error('no live mediasoup worker');
    return best;
  }

  async createRouter(
    on: PooledWorker,
    mediaCodecs: ms.RouterRtpCodecCapability[],
    appData: Record<string, unknown>,
  ): Promise<ms.Router> {
    // Counted before the await, so that tables created at the same moment spread over workers.
    on.routers++;
    let router: ms.Router;
    try {
      router = await on.worker.createRouter({ mediaCodecs, appData });
    } catch (err) {
      on.routers--;
      throw err;
    }
    router.observer.once('close', () => {
      on.routers--;
    });
    return router;
  }

  async #spawn(index: number): Promise<PooledWorker> {
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: this.#opts.rtcMinPort,
      rtcMaxPort: this.#opts.rtcMaxPort,
      appData: { index },
    });
    const pooled: PooledWorker = { index, worker, routers: 0, viewers: 0, cpuPercent: 0 };
    this.#log.info({ index, pid: worker.pid }, 'mediasoup worker started');
    worker.on('died', (error) => this.#onDied(index, pooled, error));
    return pooled;
  }

  #onDied(index: number, dead: PooledWorker, error: Error): void {
    if (this.#closed) return;
    const deaths = (this.#consecutiveDeaths.get(index) ?? 0) + 1;
    this.#consecutiveDeaths.set(index, deaths);
    const backoff = { initialMs: this.#opts.restartDelayMs ?? 100, maxMs: 10_000 };
    const delay = backoffDelay(deaths - 1, backoff);
    this.#log.error({ index, pid: dead.worker.pid, err: error, restartInMs: delay }, 'mediasoup worker died');
    this.emit('workerdied', index, error);
    const respawn = async (): Promise<void> => {
      if (this.#closed) return;
      try {
        const fresh = await this.#spawn(index);
        this.#workers[index] = fresh;
        this.#lastUsage.delete(index);
        // A worker that stays up for a minute resets the back-off.
        setTimeout(() => {
          if (this.#workers[index] === fresh && !fresh.worker.closed) this.#consecutiveDeaths.delete(index);
        }, 60_000).unref();
        this.emit('workerreplaced', index, fresh);
      } catch (err) {
        this.#log.error({ index, err }, 'could not restart mediasoup worker; retrying');
        setTimeout(() => void respawn(), backoffDelay(deaths, backoff)).unref();
      }
    };
    setTimeout(() => void respawn(), delay).unref();
  }

  async #sampleCpu(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      this.#workers.map(async (w) => {
        if (w.worker.closed) return;
        try {
          const usage = await w.worker.getResourceUsage();
          const cpuMs = usage.ru_utime + usage.ru_stime;
          const last = this.#lastUsage.get(w.index);
          if (last && now > last.at) w.cpuPercent = (100 * (cpuMs - last.cpuMs)) / (now - last.at);
          this.#lastUsage.set(w.index, { at: now, cpuMs });
        } catch {
          // The worker is dying; its replacement starts a fresh sample.
        }
      }),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#cpuTimer);
    for (const w of this.#workers) w.worker.close();
    this.removeAllListeners();
  }
}
