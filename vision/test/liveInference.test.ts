import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  BaccaratScene,
  CardDeck,
  loadCardArt,
  nodeLayerFactory,
  REF_HEIGHT,
  REF_WIDTH,
} from '@live-casino/studio/simulator';
import { createCanvas } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRgba } from '../src/image/ImageOps.js';
import { InferencePool, spawnInferenceThread } from '../src/live/InferencePool.js';
import type { ModelKind, ModelState } from '../src/live/InferenceTypes.js';
import { CardReader } from '../src/models/CardReader.js';
import { DEFAULT_MODEL_DIR } from '../src/models/OnnxClassifier.js';
import { waitFor } from '@live-casino/testing';
import { simulatedReadSpec } from './workerConfig.js';

/** The committed models (VISION_MODELS_DIR: another trained set, with its models.json). */
const MODELS = process.env.VISION_MODELS_DIR ?? DEFAULT_MODEL_DIR;
const BACCARAT = simulatedReadSpec('baccarat');

let pool: InferencePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** A frame of the simulated baccarat table (svg-standard artwork) with a whole coup face up. */
async function baccaratFrame() {
  const art = await loadCardArt(CardDeck.load('svg-standard'));
  const scene = new BaccaratScene({
    tableName: 't',
    seed: 11,
    epochMs: 0,
    createLayer: nodeLayerFactory,
    cardArt: art,
  });
  for (let t = 0; t < 250_000; t += 100) {
    scene.advance(t);
    if (scene.state().phase === 'result') break;
  }
  const canvas = createCanvas(REF_WIDTH, REF_HEIGHT);
  scene.draw(canvas.getContext('2d'), REF_WIDTH, REF_HEIGHT);
  const rgb = fromRgba(canvas.getContext('2d').getImageData(0, 0, REF_WIDTH, REF_HEIGHT).data, REF_WIDTH, REF_HEIGHT);
  return { frame: { width: REF_WIDTH, height: REF_HEIGHT, rgb }, cards: scene.state().cards };
}

describe('InferencePool', () => {
  it('reports a missing, then a truncated model file with the reader error, and reads once a good file appears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vision-pool-'));
    copyFileSync(join(MODELS, 'models.json'), join(dir, 'models.json'));
    const path = join(dir, 'cards.onnx');
    const states: ModelState[] = [];
    pool = new InferencePool({ models: { cards: path }, modelRetryMs: 100 });
    pool.on('modelstate', ({ status }) => states.push(status));

    const failedWith = (code: string) => () =>
      states.find((s) => s.state === 'failed' && s.error.code === code) as ModelState | undefined;
    const missing = await waitFor('MODEL_MISSING', failedWith('MODEL_MISSING'));
    expect(missing).toMatchObject({ state: 'failed', path, error: { name: 'ModelLoadError' } });
    expect(pool.isReady('cards')).toBe(false);
    expect(pool.modelState('cards')?.state).toBe('failed');
    const { frame } = await baccaratFrame();
    // No model, no read: the caller is told rather than kept waiting.
    const early = await pool.read('t', BACCARAT, frame);
    expect(early).toMatchObject({ ok: false, reason: 'failed', error: { code: 'VISION_MODEL_NOT_READY' } });

    const good = readFileSync(join(MODELS, 'cards.onnx'));
    writeFileSync(path, good.subarray(0, Math.floor(good.length / 2)));
    await waitFor('MODEL_CORRUPT', failedWith('MODEL_CORRUPT'));
    expect(pool.isReady('cards')).toBe(false);

    writeFileSync(path, good);
    await waitFor('ready', () => (pool?.isReady('cards') ? true : undefined));
    expect(pool.modelState('cards')).toMatchObject({ state: 'ready', path });
    const outcome = await pool.read('t', BACCARAT, frame);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) expect(outcome.reads.map((r) => r.region)).toEqual(['P1', 'B1', 'P2', 'B2', 'P3', 'B3']);
  });

  it('reads the cards of a simulated frame drawn with deck artwork (regions + model)', async () => {
    pool = new InferencePool({ models: { cards: join(MODELS, 'cards.onnx') } });
    await waitFor('cards model', () => (pool?.isReady('cards') ? true : undefined));
    const { frame, cards } = await baccaratFrame();
    const outcome = await pool.read('t', BACCARAT, frame);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome));
    for (const read of outcome.reads) {
      const dealt = cards.find((c) => c.position === read.region);
      expect(CardReader.cardOf(read), read.region).toEqual(dealt ? dealt.card : null);
    }
    expect(outcome.inferMs).toBeGreaterThan(0);
  });

  it('keeps one waiting frame per table: newer frames replace older ones', async () => {
    pool = new InferencePool({ models: { cards: join(MODELS, 'cards.onnx') } });
    await waitFor('cards model', () => (pool?.isReady('cards') ? true : undefined));
    const { frame } = await baccaratFrame();
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => (pool as InferencePool).read('t', BACCARAT, frame)));
    // The first goes to the thread at once; 2-4 are each replaced by the next; 5 is read.
    expect(outcomes.map((o) => (o.ok ? 'read' : o.reason))).toEqual(['read', 'dropped', 'dropped', 'dropped', 'read']);
    expect(pool.stats).toMatchObject({ submitted: 5, completed: 2, dropped: 3, queued: 0 });
    // Another table's frame is not dropped for this one's.
    const [a, b] = await Promise.all([pool.read('t', BACCARAT, frame), pool.read('u', BACCARAT, frame)]);
    expect([a.ok, b.ok]).toEqual([true, true]);
  });

  it('replaces a thread that dies mid-read: the read fails with VISION_THREAD_DIED, later reads succeed', async () => {
    const spawned: Worker[] = [];
    pool = new InferencePool({
      models: { cards: join(MODELS, 'cards.onnx') },
      spawnThread: () => {
        const worker = spawnInferenceThread();
        spawned.push(worker);
        return worker;
      },
    });
    const died: { thread: number; error: string }[] = [];
    pool.on('threaddied', (d) => died.push(d));
    await waitFor('cards model', () => (pool?.isReady('cards') ? true : undefined));
    const { frame, cards } = await baccaratFrame();

    // The thread is killed while it holds a frame (as a native crash in onnxruntime would end it).
    const reading = pool.read('t', BACCARAT, frame);
    await spawned[0]?.terminate();
    expect(await reading).toMatchObject({ ok: false, reason: 'failed', error: { code: 'VISION_THREAD_DIED' } });
    expect(died).toEqual([{ thread: 0, error: 'exited with code 1' }]);
    // Until the replacement has loaded the model, the pool says so rather than queueing reads.
    expect(pool.isReady('cards')).toBe(false);
    expect(pool.modelState('cards')?.state).toBe('loading');

    // A new thread is started, loads the model again and reads correctly.
    await waitFor('replacement thread ready', () => (pool?.isReady('cards') ? true : undefined));
    expect(spawned).toHaveLength(2);
    const outcome = await pool.read('t', BACCARAT, frame);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome));
    for (const read of outcome.reads) {
      expect(CardReader.cardOf(read), read.region).toEqual(cards.find((c) => c.position === read.region)?.card ?? null);
    }
    expect(pool.stats).toMatchObject({ threadRestarts: 1, completed: 1, failed: 1 });
  });

  it('replaces threads that die as they start until one stays up', async () => {
    const spawned: Worker[] = [];
    pool = new InferencePool({
      models: { cards: join(MODELS, 'cards.onnx') },
      // The first two threads die at start (a broken build); the third is a real one.
      spawnThread: () => {
        const worker =
          spawned.length < 2 ? new Worker('throw new Error("broken thread")', { eval: true }) : spawnInferenceThread();
        spawned.push(worker);
        return worker;
      },
    });
    const died: string[] = [];
    pool.on('threaddied', ({ error }) => died.push(error));
    await waitFor('thread after two failures', () => (pool?.isReady('cards') ? true : undefined));
    expect(died).toHaveLength(2);
    for (const error of died) expect(error).toContain('broken thread');
    expect(spawned).toHaveLength(3);
    const { frame } = await baccaratFrame();
    expect((await pool.read('t', BACCARAT, frame)).ok).toBe(true);
    expect(pool.stats.threadRestarts).toBe(2);
  });

  it('refuses a bad thread count, and answers `closed` once closed', async () => {
    expect(() => new InferencePool({ models: {}, threads: 0 })).toThrow(RangeError);
    const p = new InferencePool({ models: {} satisfies Partial<Record<ModelKind, string>> });
    await p.close();
    await p.close();
    expect(await p.read('t', simulatedReadSpec('roulette'), { width: 2, height: 2, rgb: new Uint8Array(12) })).toEqual({
      ok: false,
      reason: 'closed',
    });
  });
});
