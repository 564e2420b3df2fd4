import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { FromThread, ModelErrorInfo, ModelKind, ModelState, RegionRead, ToThread } from './InferenceTypes.js';
import type { FramePixels, GameKind, Region } from './Regions.js';
import { backoffDelay } from '@live-casino/server-kit';

export interface InferencePoolOptions {
  /** Model files to load, by kind (only the kinds the tables need). */
  models: Partial<Record<ModelKind, string>>;
  /** Threads running onnxruntime (default 1: each read is ~ms; the machine has few cores). */
  threads?: number;
  /** Delay between attempts to load a missing or broken model file. */
  modelRetryMs?: number;
  /** Starts an inference thread (default: `spawnInferenceThread`); called again for a replacement. */
  spawnThread?: (index: number) => Worker;
}

export interface PoolRead {
  readonly reads: readonly RegionRead[];
  readonly cropMs: number;
  readonly inferMs: number;
  /** Submission to result, queueing included. */
  readonly totalMs: number;
}

export type PoolOutcome =
  | ({ readonly ok: true } & PoolRead)
  | { readonly ok: false; readonly reason: 'dropped' | 'closed' }
  | { readonly ok: false; readonly reason: 'failed'; readonly error: ModelErrorInfo };

export type InferencePoolEvents = {
  /** A model's load state changed on a thread (loading, ready, failed with the reader's error). */
  modelstate: [{ model: ModelKind; thread: number; status: ModelState }];
  /** A thread died; it is replaced. */
  threaddied: [{ thread: number; error: string }];
};

/** What is read of a table's frames: its game's model, at the regions of its calibration. */
export interface ReadSpec {
  readonly game: GameKind;
  readonly regions: readonly Region[];
}

interface Pending {
  key: string;
  spec: ReadSpec;
  frame: FramePixels;
  submittedAt: number;
  resolve: (outcome: PoolOutcome) => void;
}

interface ThreadSlot {
  index: number;
  worker: Worker;
  busy: { jobId: number; job: Pending } | null;
  models: Map<ModelKind, ModelState>;
  alive: boolean;
}

export interface InferencePoolStats {
  readonly threads: number;
  readonly submitted: number;
  readonly completed: number;
  readonly failed: number;
  /** Frames replaced by a newer one of the same table before a thread was free. */
  readonly dropped: number;
  readonly queued: number;
  readonly threadRestarts: number;
}

/**
 * Worker threads running the ONNX readers, shared by every table of the process. Each table has
 * at most one frame waiting: a newer frame replaces it (a stale frame's reading would be late),
 * so the queue is bounded by the number of tables whatever the load.
 */
export class InferencePool extends EventEmitter<InferencePoolEvents> {
  readonly #opts: Required<InferencePoolOptions>;
  readonly #threads: ThreadSlot[] = [];
  /** Waiting frames by key (one per table), in arrival order of their table. */
  readonly #queue = new Map<string, Pending>();
  #nextJobId = 1;
  #closed = false;
  #stats = { submitted: 0, completed: 0, failed: 0, dropped: 0, threadRestarts: 0 };

  constructor(opts: InferencePoolOptions) {
    super();
    const threads = opts.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1 || threads > 16) {
      throw new RangeError(`threads ${threads} must be an integer in 1..16`);
    }
    this.#opts = { threads, modelRetryMs: 2_000, spawnThread: spawnInferenceThread, ...opts };
    for (let i = 0; i < threads; i++) this.#threads.push(this.#startThread(i));
  }

  /** Load state of a model, as the least advanced thread has it. */
  modelState(model: ModelKind): ModelState | null {
    // A dead thread (until its replacement has loaded) counts as loading.
    const states = this.#threads.map((t) => (t.alive ? t.models.get(model) : undefined));
    if (states.some((s) => s === undefined)) {
      const path = this.#opts.models[model];
      return path ? { state: 'loading', path } : null;
    }
    return states.find((s) => s?.state === 'failed') ?? states.find((s) => s?.state === 'loading') ?? states[0] ?? null;
  }

  /** Whether some thread can read with this model now. */
  isReady(model: ModelKind): boolean {
    return this.#threads.some((t) => t.alive && t.models.get(model)?.state === 'ready');
  }

  get stats(): InferencePoolStats {
    return { threads: this.#threads.length, queued: this.#queue.size, ...this.#stats };
  }

  /**
   * Reads a frame's regions with the game's model. `key` names the stream (the table): a frame
   * still waiting under the same key is dropped in favour of this one.
   */
  read(key: string, spec: ReadSpec, frame: FramePixels): Promise<PoolOutcome> {
    if (this.#closed) return Promise.resolve({ ok: false, reason: 'closed' });
    this.#stats.submitted++;
    return new Promise<PoolOutcome>((resolve) => {
      const stale = this.#queue.get(key);
      if (stale) {
        this.#queue.delete(key);
        this.#stats.dropped++;
        stale.resolve({ ok: false, reason: 'dropped' });
      }
      this.#queue.set(key, { key, spec, frame, submittedAt: performance.now(), resolve });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#queue.values()) pending.resolve({ ok: false, reason: 'closed' });
    this.#queue.clear();
    await Promise.all(
      this.#threads.map(async (t) => {
        t.busy?.job.resolve({ ok: false, reason: 'closed' });
        t.busy = null;
        await t.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    for (const thread of this.#threads) {
      if (thread.busy || !thread.alive) continue;
      const next = this.#queue.values().next();
      if (next.done) return;
      const job = next.value;
      this.#queue.delete(job.key);
      const jobId = this.#nextJobId++;
      thread.busy = { jobId, job };
      // The thread gets its own copy of the pixels, moved rather than cloned.
      const rgb = new Uint8Array(job.frame.rgb);
      const message: ToThread = {
        type: 'read',
        jobId,
        game: job.spec.game,
        regions: job.spec.regions,
        width: job.frame.width,
        height: job.frame.height,
        rgb,
      };
      thread.worker.postMessage(message, [rgb.buffer]);
    }
  }

  #startThread(index: number): ThreadSlot {
    const worker = this.#opts.spawnThread(index);
    const slot: ThreadSlot = { index, worker, busy: null, models: new Map(), alive: true };
    worker.on('message', (message: FromThread) => this.#onMessage(slot, message));
    worker.on('error', (err) => this.#onThreadDied(slot, String(err)));
    worker.on('exit', (code) => {
      if (!this.#closed) this.#onThreadDied(slot, `exited with code ${code}`);
    });
    const init: ToThread = { type: 'init', models: this.#opts.models, retryMs: this.#opts.modelRetryMs };
    worker.postMessage(init);
    return slot;
  }

  #onMessage(slot: ThreadSlot, message: FromThread): void {
    switch (message.type) {
      case 'model':
        slot.models.set(message.model, message.status);
        this.emit('modelstate', { model: message.model, thread: slot.index, status: message.status });
        return;
      case 'result':
      case 'failed': {
        const busy = slot.busy;
        if (!busy || busy.jobId !== message.jobId) return;
        slot.busy = null;
        if (message.type === 'result') {
          this.#stats.completed++;
          busy.job.resolve({
            ok: true,
            reads: message.reads,
            cropMs: message.cropMs,
            inferMs: message.inferMs,
            totalMs: performance.now() - busy.job.submittedAt,
          });
        } else {
          this.#stats.failed++;
          busy.job.resolve({ ok: false, reason: 'failed', error: message.error });
        }
        this.#dispatch();
        return;
      }
      default: {
        const unknown: never = message;
        throw new Error(`unexpected message ${JSON.stringify(unknown)}`);
      }
    }
  }

  #onThreadDied(slot: ThreadSlot, error: string): void {
    if (this.#closed || this.#threads[slot.index] !== slot || !slot.alive) return;
    slot.alive = false;
    if (slot.busy) this.#stats.failed++;
    slot.busy?.job.resolve({
      ok: false,
      reason: 'failed',
      error: { name: 'InferenceThreadDied', code: 'VISION_THREAD_DIED', message: error },
    });
    slot.busy = null;
    void slot.worker.terminate();
    this.#stats.threadRestarts++;
    this.emit('threaddied', { thread: slot.index, error });
    // Back off if threads keep dying (a broken build or native library), then replace it.
    const delay = backoffDelay(this.#stats.threadRestarts, { initialMs: 100, maxMs: 5_000 });
    setTimeout(() => {
      if (this.#closed) return;
      this.#threads[slot.index] = this.#startThread(slot.index);
      this.#dispatch();
    }, delay).unref();
  }
}

/**
 * The thread runs the compiled inferenceThread.js; from source (tests, tsx) it is the .ts file,
 * loaded through tsx in the thread, resolving workspace packages to their source too.
 */
export function spawnInferenceThread(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const url = new URL('./inferenceThread.ts', here).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`;
    return new Worker(boot, { eval: true, execArgv: ['--conditions=source'] });
  }
  return new Worker(new URL('./inferenceThread.js', here));
}
