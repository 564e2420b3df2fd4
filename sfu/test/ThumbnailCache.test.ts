import { AppError } from '@live-casino/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThumbnailCache, type ThumbnailCacheOptions, type ThumbnailSource } from '../src/ThumbnailCache.js';

interface Call {
  source: ThumbnailSource;
  signal: AbortSignal;
  resolve: (jpeg: Buffer) => void;
  reject: (err: Error) => void;
}

/** A cache on a clock the test moves, with a decoder that settles when the test says so. */
function setup(opts: Partial<ThumbnailCacheOptions> = {}) {
  const clock = { now: 1_000_000 };
  const calls: Call[] = [];
  const cache = new ThumbnailCache({
    ttlMs: 3000,
    staleMaxAgeMs: 30_000,
    maxConcurrentDecodes: 2,
    timeoutMs: 60_000,
    now: () => clock.now,
    decode: (source, signal) =>
      new Promise<Buffer>((resolve, reject) => {
        calls.push({ source, signal, resolve, reject });
      }),
    ...opts,
  });
  return { clock, calls, cache };
}

const segment = (n: number, studioStartMs = 5000 + n * 500): ThumbnailSource => ({
  file: `/hls/t/seg-${n}.ts`,
  studioStartMs,
});
const jpeg = (tag: number): Buffer => Buffer.from([0xff, 0xd8, tag]);
/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ThumbnailCache', () => {
  it('makes one still for any number of concurrent requests, and keeps it for the TTL', async () => {
    const { clock, calls, cache } = setup();
    const answers = Array.from({ length: 20 }, () => cache.get('roulette-1', segment(1)));
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve(jpeg(1));
    const stills = await Promise.all(answers);
    expect(new Set(stills).size).toBe(1);
    expect(stills[0]).toMatchObject({ jpeg: jpeg(1), studioStartMs: segment(1).studioStartMs, madeAtMs: clock.now });

    // Within the TTL a newer segment changes nothing.
    clock.now += 2999;
    expect((await cache.get('roulette-1', segment(2))).jpeg).toEqual(jpeg(1));
    expect(calls).toHaveLength(1);

    // After it, the newer segment is decoded.
    clock.now += 1;
    const next = cache.get('roulette-1', segment(2));
    await settle();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.source).toEqual(segment(2));
    calls[1]!.resolve(jpeg(2));
    expect(await next).toMatchObject({ jpeg: jpeg(2), studioStartMs: segment(2).studioStartMs });
  });

  it('does not decode the same segment twice (a stalled feed)', async () => {
    const { clock, calls, cache } = setup();
    const first = cache.get('roulette-1', segment(1));
    await settle();
    calls[0]!.resolve(jpeg(1));
    const still = await first;
    clock.now += 10_000;
    expect(await cache.get('roulette-1', segment(1))).toBe(still);
    expect(calls).toHaveLength(1);
  });

  it('serves the previous still after a failure while it is recent, and a typed error after that', async () => {
    const { clock, calls, cache } = setup();
    const first = cache.get('roulette-1', segment(1));
    await settle();
    calls[0]!.resolve(jpeg(1));
    await first;

    clock.now += 3000;
    const failed = cache.get('roulette-1', segment(2));
    await settle();
    calls[1]!.reject(new Error('corrupt segment'));
    expect((await failed).jpeg).toEqual(jpeg(1));

    // The failure is remembered for a TTL: no decode per request.
    clock.now += 1000;
    expect((await cache.get('roulette-1', segment(3))).jpeg).toEqual(jpeg(1));
    expect(calls).toHaveLength(2);

    // Failing again once the previous still is older than 30 s: SERVICE_UNAVAILABLE, retry in a TTL.
    clock.now += 27_000;
    const tooOld = cache.get('roulette-1', segment(3));
    await settle();
    calls[2]!.reject(new Error('corrupt segment'));
    const err = await tooOld.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfterS: 3 });
    await expect(cache.get('roulette-1', segment(3))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(calls).toHaveLength(3);

    // A failed segment is tried again after the TTL, and success clears the failure.
    clock.now += 3000;
    const again = cache.get('roulette-1', segment(3));
    await settle();
    expect(calls).toHaveLength(4);
    calls[3]!.resolve(jpeg(3));
    expect((await again).jpeg).toEqual(jpeg(3));
  });

  it('a first decode that fails is an error, not a still', async () => {
    const { calls, cache } = setup();
    const first = cache.get('roulette-1', segment(1));
    await settle();
    calls[0]!.reject(new Error('no picture'));
    await expect(first).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('runs at most maxConcurrentDecodes decodes at once over all tables, the others in turn', async () => {
    const { calls, cache } = setup({ maxConcurrentDecodes: 2 });
    const answers = Promise.allSettled(['t-1', 't-2', 't-3', 't-4'].map((key) => cache.get(key, segment(1))));
    await settle();
    expect(calls).toHaveLength(2);
    expect(cache.decoding).toBe(2);
    calls[0]!.resolve(jpeg(1));
    await settle();
    expect(calls).toHaveLength(3);
    calls[1]!.reject(new Error('broken'));
    await settle();
    expect(calls).toHaveLength(4);
    expect(cache.decoding).toBe(2);
    calls[2]!.resolve(jpeg(3));
    calls[3]!.resolve(jpeg(4));
    const results = await answers;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(cache.decoding).toBe(0);
  });

  it('aborts a decode at the timeout, and holds its slot until the decoder has stopped', async () => {
    const { calls, cache } = setup({ timeoutMs: 50, maxConcurrentDecodes: 1 });
    const stuck = cache.get('t-1', segment(1));
    await settle();
    const call = calls[0]!;
    await expect(stuck).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(call.signal.aborted).toBe(true);
    // The decoder has not stopped yet (its process is being killed): no other decode starts.
    const waiting = cache.get('t-2', segment(1));
    await settle();
    expect(calls).toHaveLength(1);
    call.reject(new Error('killed'));
    await settle();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(jpeg(2));
    expect((await waiting).jpeg).toEqual(jpeg(2));
  });

  it('gives up on a decode that waited too long for its turn without starting it', async () => {
    const { calls, cache } = setup({ timeoutMs: 50, maxConcurrentDecodes: 1 });
    void cache.get('t-1', segment(1)).catch(() => undefined);
    await settle();
    const queued = cache.get('t-2', segment(1));
    await expect(queued).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    calls[0]!.reject(new Error('killed'));
    await settle();
    expect(calls).toHaveLength(1);
    expect(cache.decoding).toBe(0);
  });

  it('gives the slot back when the decoder throws instead of rejecting', async () => {
    const cache = new ThumbnailCache({
      ttlMs: 3000,
      staleMaxAgeMs: 30_000,
      maxConcurrentDecodes: 1,
      timeoutMs: 60_000,
      decode: () => {
        throw new Error('cannot start');
      },
    });
    await expect(cache.get('t-1', segment(1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await settle();
    expect(cache.decoding).toBe(0);
  });

  it('forget and close abort what is running, and a closed cache refuses', async () => {
    const { calls, cache } = setup();
    const a = cache.get('t-1', segment(1));
    const b = cache.get('t-2', segment(1));
    await settle();
    cache.forget('t-1');
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(calls[1]!.signal.aborted).toBe(false);
    await expect(a).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    cache.close();
    expect(calls[1]!.signal.aborted).toBe(true);
    await expect(b).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(cache.get('t-3', segment(1))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('whatever the requests and timings: one decode per table per TTL, never over the cap', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), table: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
      fc.record({ kind: fc.constant('finish' as const), ok: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const { clock, calls, cache } = setup({ ttlMs: 3000, maxConcurrentDecodes: 2 });
        /** Per table, when each of its decodes started and ended. */
        const decodes = new Map<string, { startMs: number; endMs?: number }[]>();
        const tableOf = (call: Call): string => call.source.file.split('/')[2]!;
        let segmentNo = 0;
        let seen = 0;
        let finished = 0;
        for (const s of steps) {
          if (s.kind === 'request') {
            const table = `t-${s.table}`;
            void cache
              .get(table, { file: `/hls/${table}/seg-${++segmentNo}.ts`, studioStartMs: 0 })
              .catch(() => undefined);
          } else if (s.kind === 'wait') {
            clock.now += s.ms;
          } else if (finished < calls.length) {
            const call = calls[finished++]!;
            decodes.get(tableOf(call))!.find((d) => d.endMs === undefined)!.endMs = clock.now;
            if (s.ok) call.resolve(jpeg(1));
            else call.reject(new Error('failed'));
          }
          await settle();
          for (; seen < calls.length; seen++) {
            const table = tableOf(calls[seen]!);
            decodes.set(table, [...(decodes.get(table) ?? []), { startMs: clock.now }]);
          }
          expect(calls.length - finished).toBeLessThanOrEqual(2);
          expect(cache.decoding).toBe(calls.length - finished);
        }
        for (const list of decodes.values()) {
          for (let i = 1; i < list.length; i++) {
            // The TTL runs from the end of the previous decode; there is never a second one meanwhile.
            expect(list[i - 1]!.endMs).toBeDefined();
            expect(list[i]!.startMs - list[i - 1]!.endMs!).toBeGreaterThanOrEqual(3000);
          }
        }
        cache.close();
      }),
      { numRuns: 200 },
    );
  });
});
