import { parseArgs } from 'node:util';
import { percentile } from '@live-casino/server-kit';
import { CARD_CLASSES, CardCropRenderer, type DatasetSplit, cardKind } from '../dataset/CardCrops.js';
import type { DeckName } from '@live-casino/studio/simulator';
import { WHEEL_CLASSES, WheelCropRenderer } from '../dataset/WheelCrops.js';
import { CardReader, DEFAULT_CARD_MODEL } from '../models/CardReader.js';
import type { OnnxClassifier } from '../models/OnnxClassifier.js';
import { DEFAULT_WHEEL_MODEL, WheelReader } from '../models/WheelReader.js';

/**
 * Measures the committed readers on fresh renders (seeds the training never uses; the split is
 * hashed into every sample's seed as well):
 *
 *   npm run vision:eval [-- --count 2000 --seed 7001 --cards vision/models/cards.onnx --wheel ...]
 *
 * Prints human-readable lines, then on its LAST line one JSON object. Accuracies are fractions
 * (0..1); latencies are milliseconds of one read() of one crop (batch 1, one thread).
 */

export interface Sample {
  pixels: Uint8Array;
  labelClass: number;
  /** Groups the sample is scored in as well as overall, e.g. its deck and `deck/face`. */
  groups: readonly string[];
}

export interface Score {
  top1: number;
  count: number;
  groups: Record<string, { top1: number; count: number }>;
  confusions: [string, string, number][];
  /** Mean confidence of right and of wrong reads. */
  confidence: { right: number; wrong: number };
}

/** Reads samples in batches of `batch` and scores them. */
export async function score(
  reader: OnnxClassifier,
  samples: readonly Sample[],
  classes: readonly string[],
  batch = 6,
): Promise<Score> {
  let right = 0;
  let rightConf = 0;
  let wrongConf = 0;
  const groups = new Map<string, { right: number; count: number }>();
  const confusions = new Map<string, number>();
  for (let i = 0; i < samples.length; i += batch) {
    const chunk = samples.slice(i, i + batch);
    const readings = await reader.read(chunk.map((s) => s.pixels));
    chunk.forEach((s, k) => {
      const r = readings[k]!;
      const ok = r.classIndex === s.labelClass;
      for (const name of s.groups) {
        const g = groups.get(name) ?? { right: 0, count: 0 };
        g.count++;
        if (ok) g.right++;
        groups.set(name, g);
      }
      if (ok) {
        right++;
        rightConf += r.confidence;
      } else {
        wrongConf += r.confidence;
        const key = `${classes[s.labelClass]}\u0000${r.label}`;
        confusions.set(key, (confusions.get(key) ?? 0) + 1);
      }
    });
  }
  const wrong = samples.length - right;
  return {
    top1: right / samples.length,
    count: samples.length,
    groups: Object.fromEntries(
      [...groups.entries()].sort().map(([k, g]) => [k, { top1: g.right / g.count, count: g.count }]),
    ),
    confusions: [...confusions.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, n]) => [...(k.split('\u0000') as [string, string]), n]),
    confidence: { right: right ? rightConf / right : 0, wrong: wrong ? wrongConf / wrong : 0 },
  };
}

export async function renderCards(
  split: DatasetSplit,
  seed: number,
  count: number,
  onlyDecks?: readonly DeckName[],
): Promise<Sample[]> {
  const renderer = await CardCropRenderer.create(onlyDecks ? { split, onlyDecks } : { split });
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const s = await renderer.render(seed, i);
    // Face cards are scored apart: their figures differ from deck to deck, their indices do not.
    const kind = cardKind(s.label);
    samples.push({ pixels: s.pixels, labelClass: s.labelClass, groups: [s.deck, `${s.deck}/${kind}`] });
  }
  return samples;
}

export async function renderWheel(split: DatasetSplit, seed: number, count: number): Promise<Sample[]> {
  const renderer = await WheelCropRenderer.create({ split });
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const s = await renderer.render(seed, i);
    samples.push({
      pixels: s.pixels,
      labelClass: s.labelClass,
      groups: [s.label === 'not_settled' ? 'not_settled' : 'settled'],
    });
  }
  return samples;
}

/** Latency of one read of one crop, after a warm-up. */
export async function latency(reader: OnnxClassifier, crops: readonly Uint8Array[], runs: number) {
  for (let i = 0; i < Math.min(20, runs); i++) await reader.read([crops[i % crops.length]!]);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const crop = crops[i % crops.length]!;
    const t0 = performance.now();
    await reader.read([crop]);
    times.push(performance.now() - t0);
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), runs };
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function report(name: string, s: Score): void {
  console.log(`${name}: top1 ${pct(s.top1)} (${s.count} crops)`);
  for (const [g, v] of Object.entries(s.groups)) console.log(`  ${g}: ${pct(v.top1)} (${v.count})`);
  if (s.confusions.length > 0) {
    console.log(
      `  confusions (truth -> read, count): ${s.confusions.map(([t, p, n]) => `${t}->${p} ${n}`).join(', ')}`,
    );
  }
  console.log(`  mean confidence: right ${s.confidence.right.toFixed(3)}, wrong ${s.confidence.wrong.toFixed(3)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '7001' },
      cards: { type: 'string', default: DEFAULT_CARD_MODEL },
      wheel: { type: 'string', default: DEFAULT_WHEEL_MODEL },
      'latency-runs': { type: 'string', default: '500' },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const runs = Number(values['latency-runs']);
  if (!(Number.isInteger(count) && count > 0)) throw new RangeError('--count must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('--seed must be an integer');
  if (!(Number.isInteger(runs) && runs > 0)) throw new RangeError('--latency-runs must be a positive integer');

  const started = performance.now();
  const cards = await CardReader.load(values.cards);
  const wheel = await WheelReader.load(values.wheel);
  try {
    console.log(`rendering ${count} crops per metric, seed ${seed}`);
    const seenSamples = await renderCards('seen-test', seed, count);
    const seen = await score(cards, seenSamples, CARD_CLASSES);
    report('cards, training decks (seen-test)', seen);
    const unseen = await score(cards, await renderCards('unseen-test', seed, count), CARD_CLASSES);
    report('cards, held-out decks (unseen-test)', unseen);
    const wheelSamples = await renderWheel('seen-test', seed, count);
    const roulette = await score(wheel, wheelSamples, WHEEL_CLASSES);
    report('roulette (seen-test)', roulette);

    const cardMs = await latency(
      cards,
      seenSamples.slice(0, 64).map((s) => s.pixels),
      runs,
    );
    const wheelMs = await latency(
      wheel,
      wheelSamples.slice(0, 64).map((s) => s.pixels),
      runs,
    );
    console.log(
      `infer ms, one crop: cards p50 ${cardMs.p50} p95 ${cardMs.p95}; wheel p50 ${wheelMs.p50} p95 ${wheelMs.p95}`,
    );
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    // Accuracy per deck ("svg-standard") and per deck and kind ("svg-standard/face"), both splits.
    const cardGroups = [...Object.entries(seen.groups), ...Object.entries(unseen.groups)].map(
      ([g, v]) => [g, v.top1] as const,
    );
    const result = {
      units: { accuracy: 'fraction', latency: 'ms' },
      seed,
      cards: {
        seen_decks_top1: seen.top1,
        unseen_decks_top1: unseen.top1,
        seen_count: seen.count,
        unseen_count: unseen.count,
        per_deck: Object.fromEntries(cardGroups.filter(([g]) => !g.includes('/'))),
        per_deck_kind: Object.fromEntries(cardGroups.filter(([g]) => g.includes('/'))),
        seen_confusions: seen.confusions,
        unseen_confusions: unseen.confusions,
      },
      roulette: {
        top1: roulette.top1,
        count: roulette.count,
        settled_top1: roulette.groups.settled?.top1 ?? null,
        not_settled_top1: roulette.groups.not_settled?.top1 ?? null,
        confusions: roulette.confusions,
      },
      // The slower reader's numbers; both are below.
      infer_ms: {
        p50: Math.max(cardMs.p50, wheelMs.p50),
        p95: Math.max(cardMs.p95, wheelMs.p95),
        cards: cardMs,
        wheel: wheelMs,
      },
    };
    console.log(JSON.stringify(result));
  } finally {
    await cards.close();
    await wheel.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  });
}
