import { AppError } from '@live-casino/protocol';

/** What a still is made from: one complete HLS segment of a table. */
export interface ThumbnailSource {
  /** The segment's file; also what tells one segment from the next. */
  file: string;
  /** Studio time of the segment's first frame, the frame the still shows. */
  studioStartMs: number;
}

/** A still of a table's video. */
export interface Thumbnail {
  jpeg: Buffer;
  studioStartMs: number;
  /** The segment it was decoded from. */
  file: string;
  /** When it was decoded, on the cache's clock. */
  madeAtMs: number;
}

/**
 * Decodes a segment's first frame into a JPEG. Aborting `signal` must make it give up and settle
 * (kill its process): the cache counts a decode against its cap until it settles.
 */
export type ThumbnailDecoder = (source: ThumbnailSource, signal: AbortSignal) => Promise<Buffer>;

export interface ThumbnailCacheOptions {
  decode: ThumbnailDecoder;
  /** A table's still is remade at most once per this long, whatever the number of requests. */
  ttlMs: number;
  /** After a failed remake, the previous still is served while it is younger than this. */
  staleMaxAgeMs: number;
  /** Decodes running at once over all tables; the rest wait their turn. */
  maxConcurrentDecodes: number;
  /** A remake that has not finished after this long (waiting for its turn included) is aborted. */
  timeoutMs: number;
  now?: () => number;
}

interface Entry {
  still: Thumbnail | undefined;
  /** The last remake's failure, while no newer remake has succeeded. */
  failure: AppError | undefined;
  /** When the last remake settled (decoded, failed, or found the segment unchanged). */
  checkedAtMs: number;
  /** The remake in progress, shared by every request that arrives meanwhile. */
  remaking: Promise<Thumbnail> | undefined;
  controller: AbortController | undefined;
}

/**
 * Per-table stills with no I/O of its own: a still is remade from the table's newest segment when
 * it is older than the TTL, by one decode that every concurrent request shares (single flight), at
 * most `maxConcurrentDecodes` at a time over all tables. A failed remake is remembered for a TTL
 * too (a broken segment costs one decode per TTL, not one per request), and serves the previous
 * still while that one is recent enough.
 */
export class ThumbnailCache {
  readonly #opts: Required<ThumbnailCacheOptions>;
  readonly #entries = new Map<string, Entry>();
  #decoding = 0;
  readonly #turns: (() => void)[] = [];
  #closed = false;

  constructor(opts: ThumbnailCacheOptions) {
    this.#opts = { now: Date.now, ...opts };
  }

  /** Decodes running now (for metrics and tests). */
  get decoding(): number {
    return this.#decoding;
  }

  /** The still of `key`, remade from `source` (the table's newest segment) when it is due. */
  async get(key: string, source: ThumbnailSource): Promise<Thumbnail> {
    if (this.#closed) throw new AppError('SERVICE_UNAVAILABLE', 'sfu is shutting down');
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        still: undefined,
        failure: undefined,
        checkedAtMs: Number.NEGATIVE_INFINITY,
        remaking: undefined,
        controller: undefined,
      };
      this.#entries.set(key, entry);
    }
    if (entry.remaking) return entry.remaking;
    const now = this.#opts.now();
    if (now - entry.checkedAtMs < this.#opts.ttlMs) return this.#answer(entry, now);
    if (entry.still?.file === source.file && !entry.failure) {
      // No new segment (a stalled feed): the same frame again, without a decode.
      entry.checkedAtMs = now;
      return entry.still;
    }
    const remaking = this.#remake(entry, source);
    entry.remaking = remaking;
    void remaking
      .catch(() => undefined)
      .finally(() => {
        if (entry.remaking === remaking) entry.remaking = undefined;
      });
    return remaking;
  }

  /** Drops a table's still (the table closed); a remake in progress is aborted. */
  forget(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    entry.controller?.abort(new Error('table closed'));
  }

  /** Aborts every remake (their decoders kill their processes); later calls are refused. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const key of [...this.#entries.keys()]) this.forget(key);
    for (const turn of this.#turns.splice(0)) turn();
  }

  #answer(entry: Entry, now: number): Thumbnail {
    if (!entry.failure) return entry.still!;
    if (entry.still && now - entry.still.madeAtMs <= this.#opts.staleMaxAgeMs) return entry.still;
    throw entry.failure;
  }

  async #remake(entry: Entry, source: ThumbnailSource): Promise<Thumbnail> {
    const controller = new AbortController();
    entry.controller = controller;
    const timer = setTimeout(() => controller.abort(new Error('thumbnail timed out')), this.#opts.timeoutMs);
    try {
      await this.#turn(controller.signal);
      // A decoder that throws instead of rejecting must still give its slot back.
      const decoding = (async () => this.#opts.decode(source, controller.signal))();
      // The slot is held until the decoder has really stopped, even if this remake gives up first.
      void decoding.catch(() => undefined).finally(() => this.#release());
      const jpeg = await untilAborted(decoding, controller.signal);
      const now = this.#opts.now();
      entry.still = { jpeg, studioStartMs: source.studioStartMs, file: source.file, madeAtMs: now };
      entry.failure = undefined;
      entry.checkedAtMs = now;
      return entry.still;
    } catch {
      const now = this.#opts.now();
      entry.failure = new AppError('SERVICE_UNAVAILABLE', 'no still of this table right now', {
        retryAfterS: Math.max(1, Math.ceil(this.#opts.ttlMs / 1000)),
      });
      entry.checkedAtMs = now;
      return this.#answer(entry, now);
    } finally {
      clearTimeout(timer);
      if (entry.controller === controller) entry.controller = undefined;
    }
  }

  /** Waits for a decode slot; rejects if `signal` aborts first. */
  async #turn(signal: AbortSignal): Promise<void> {
    if (this.#closed) throw new Error('closed');
    if (this.#decoding < this.#opts.maxConcurrentDecodes) {
      this.#decoding++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const turn = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (this.#closed) {
          reject(new Error('closed'));
          return;
        }
        this.#decoding++;
        resolve();
      };
      const onAbort = (): void => {
        const at = this.#turns.indexOf(turn);
        if (at >= 0) this.#turns.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#turns.push(turn);
    });
  }

  #release(): void {
    this.#decoding--;
    this.#turns.shift()?.();
  }
}

/** `promise`, or a rejection as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
