import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CARD_CLASSES, CARD_CROP, CardCropRenderer, DATASET_SPLITS, type DatasetSplit, decksOf } from './CardCrops.js';
import { WHEEL_CLASSES, WHEEL_CROP, WheelCropRenderer } from './WheelCrops.js';

/**
 * Writes a synthetic dataset for the vision readers:
 *
 *   node --import tsx vision/src/dataset/writeDataset.ts --kind cards|wheel \
 *     --split train|seen-test|unseen-test --count N --seed S --out DIR [--shard-size 2048]
 *
 * DIR/images-00000.bin ...  uint8, NHWC, samples back to back (shape in manifest.json)
 * DIR/labels.bin            int16, one class index per sample (classes in manifest.json)
 * DIR/labels.csv            index,class,label,deck,position (human-readable, same order)
 * DIR/geometry.bin          wheel only: float32, per sample zeroX, zeroY, ballX, ballY in crop
 *                           pixels (NaN for no ball), for the reader's angle supervision
 * DIR/manifest.json         shapes, classes, shards, generator parameters, throughput
 *
 * In Python: np.fromfile(f, np.uint8).reshape(-1, H, W, C); np.fromfile(labels, np.int16).
 */
export interface DatasetManifest {
  readonly kind: 'cards' | 'wheel';
  readonly split: DatasetSplit;
  readonly seed: number;
  readonly count: number;
  readonly dtype: 'uint8';
  readonly layout: 'NHWC';
  readonly shape: readonly [number, number, number];
  readonly labels: { readonly file: string; readonly dtype: 'int16'; readonly csv: string };
  readonly geometry?: { readonly file: string; readonly dtype: 'float32'; readonly columns: readonly string[] };
  readonly classes: readonly string[];
  readonly shards: readonly { readonly file: string; readonly first: number; readonly count: number }[];
  readonly decks: readonly string[];
  readonly samplesPerSecond: number;
}

export interface WriteDatasetOptions {
  kind: 'cards' | 'wheel';
  split: DatasetSplit;
  count: number;
  seed: number;
  out: string;
  shardSize?: number;
  onProgress?: (done: number, count: number) => void;
}

export async function writeDataset(opts: WriteDatasetOptions): Promise<DatasetManifest> {
  const shardSize = opts.shardSize ?? 2048;
  const cards = opts.kind === 'cards';
  const crop = cards ? CARD_CROP : WHEEL_CROP;
  const renderer = cards
    ? await CardCropRenderer.create({ split: opts.split })
    : await WheelCropRenderer.create({ split: opts.split });
  mkdirSync(opts.out, { recursive: true });
  const sampleBytes = crop.width * crop.height * crop.channels;
  const labels = new Int16Array(opts.count);
  const geometry = cards ? null : new Float32Array(opts.count * 4);
  const csv = ['index,class,label,deck,position'];
  const shards: { file: string; first: number; count: number }[] = [];
  const started = performance.now();
  for (let first = 0; first < opts.count; first += shardSize) {
    const n = Math.min(shardSize, opts.count - first);
    const images = new Uint8Array(n * sampleBytes);
    for (let k = 0; k < n; k++) {
      const i = first + k;
      const sample = await renderer.render(opts.seed, i);
      images.set(sample.pixels, k * sampleBytes);
      labels[i] = sample.labelClass;
      if (geometry && 'zero' in sample) {
        geometry.set([sample.zero.x, sample.zero.y, sample.ball?.x ?? Number.NaN, sample.ball?.y ?? Number.NaN], i * 4);
      }
      const name = (cards ? CARD_CLASSES : WHEEL_CLASSES)[sample.labelClass];
      csv.push(
        'deck' in sample
          ? `${i},${sample.labelClass},${name},${sample.deck},${sample.position}`
          : `${i},${sample.labelClass},${name},,`,
      );
      opts.onProgress?.(i + 1, opts.count);
    }
    const file = `images-${String(shards.length).padStart(5, '0')}.bin`;
    writeFileSync(join(opts.out, file), images);
    shards.push({ file, first, count: n });
  }
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(join(opts.out, 'labels.bin'), new Uint8Array(labels.buffer));
  writeFileSync(join(opts.out, 'labels.csv'), `${csv.join('\n')}\n`);
  if (geometry) writeFileSync(join(opts.out, 'geometry.bin'), new Uint8Array(geometry.buffer));
  const manifest: DatasetManifest = {
    kind: opts.kind,
    split: opts.split,
    seed: opts.seed,
    count: opts.count,
    dtype: 'uint8',
    layout: 'NHWC',
    shape: [crop.height, crop.width, crop.channels],
    labels: { file: 'labels.bin', dtype: 'int16', csv: 'labels.csv' },
    ...(geometry
      ? { geometry: { file: 'geometry.bin', dtype: 'float32', columns: ['zeroX', 'zeroY', 'ballX', 'ballY'] } as const }
      : {}),
    classes: cards ? CARD_CLASSES : WHEEL_CLASSES,
    shards,
    decks: cards ? decksOf(opts.split) : [],
    samplesPerSecond: Math.round((opts.count / seconds) * 10) / 10,
  };
  writeFileSync(join(opts.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kind: { type: 'string' },
      split: { type: 'string', default: 'train' },
      count: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      'shard-size': { type: 'string', default: '2048' },
    },
  });
  const kind = values.kind;
  const split = values.split as DatasetSplit;
  const count = Number(values.count);
  const seed = Number(values.seed);
  if (kind !== 'cards' && kind !== 'wheel') throw new Error('--kind must be cards or wheel');
  if (!DATASET_SPLITS.includes(split)) throw new Error(`--split must be one of ${DATASET_SPLITS.join(', ')}`);
  if (!(Number.isInteger(count) && count > 0)) throw new Error('--count must be a positive integer');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  if (!values.out) throw new Error('--out DIR is required');
  let last = 0;
  const manifest = await writeDataset({
    kind,
    split,
    count,
    seed,
    out: values.out,
    shardSize: Number(values['shard-size']),
    onProgress: (done, total) => {
      if (done === total || performance.now() - last > 2000) {
        last = performance.now();
        process.stderr.write(`\r${done}/${total}`);
      }
    },
  });
  process.stderr.write('\n');
  console.log(
    `${manifest.count} ${kind} samples (${split}, seed ${seed}) in ${values.out}: ${manifest.samplesPerSecond} samples/s`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
