import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POCKET_ARC, angleOfPocket } from '@live-casino/protocol/games/roulette';
import { beforeAll, describe, expect, it } from 'vitest';
import { HELD_OUT_DECKS, assertCardDecksInstalled } from '@live-casino/studio/simulator';
import { SeededRandom } from '../src/dataset/Augment.js';
import {
  CARD_CROP,
  CardCropRenderer,
  FACE_RANKS,
  NO_CARD_CLASS,
  decksOf,
  otherMiddle,
} from '../src/dataset/CardCrops.js';
import {
  NOT_SETTLED_CLASS,
  POCKET_RING_RADIUS,
  WHEEL_CROP,
  WHEEL_CROP_SCALE,
  WheelCropRenderer,
} from '../src/dataset/WheelCrops.js';
import { type DatasetManifest, writeDataset } from '../src/dataset/writeDataset.js';

beforeAll(() => assertCardDecksInstalled());

const luminance = (px: Uint8Array, w: number, x: number, y: number): number => {
  const o = (Math.round(y) * w + Math.round(x)) * 3;
  return (px[o]! + px[o + 1]! + px[o + 2]!) / 3;
};

describe('CardCropRenderer', () => {
  it('is deterministic from (split, seed, index)', async () => {
    const a = await CardCropRenderer.create({ split: 'train', onlyDecks: ['svg-standard'] });
    const b = await CardCropRenderer.create({ split: 'train', onlyDecks: ['svg-standard'] });
    for (let i = 0; i < 5; i++) {
      const x = await a.render(42, i);
      const y = await b.render(42, i);
      expect(y.label).toEqual(x.label);
      expect(Buffer.from(y.pixels).equals(Buffer.from(x.pixels))).toBe(true);
      expect(x.pixels).toHaveLength(CARD_CROP.width * CARD_CROP.height * CARD_CROP.channels);
    }
    const other = await a.render(43, 0);
    expect(Buffer.from(other.pixels).equals(Buffer.from((await a.render(42, 0)).pixels))).toBe(false);
    const seenTest = await CardCropRenderer.create({ split: 'seen-test', onlyDecks: ['svg-standard'] });
    expect(Buffer.from((await seenTest.render(42, 0)).pixels).equals(Buffer.from((await a.render(42, 0)).pixels))).toBe(
      false,
    );
  });

  it('labels the card it drew, and draws it where the crop looks', async () => {
    const renderer = await CardCropRenderer.create({ split: 'train', onlyDecks: ['svg-standard'] });
    const card = { rank: 'Q', suit: 'hearts' } as const;
    for (const position of ['P1', 'B3'] as const) {
      const with_ = await renderer.render(1, 0, { card, position, clean: true });
      expect(with_.label).toEqual(card);
      expect(with_.labelClass).toBe(13 + 11);
      expect(with_.position).toBe(position);
      // Centre of the crop: the white card face vs the green felt.
      const w = CARD_CROP.width;
      const k = CARD_CROP.height / 96;
      expect(luminance(with_.pixels, w, w / 2 - 14 * k, CARD_CROP.height / 2 - 30 * k)).toBeGreaterThan(150);
      const without = await renderer.render(1, 0, { card: null, position, clean: true });
      expect(without.label).toBe('none');
      expect(without.labelClass).toBe(NO_CARD_CLASS);
    }
  });

  it("produces 'none' samples at the requested rate", async () => {
    for (const noneRate of [0.15, 0.5]) {
      const renderer = await CardCropRenderer.create({ split: 'train', noneRate, onlyDecks: ['svg-standard'] });
      const n = 300;
      let none = 0;
      for (let i = 0; i < n; i++) if ((await renderer.render(9, i)).label === 'none') none++;
      // Binomial: within 4 standard deviations.
      expect(Math.abs(none - n * noneRate)).toBeLessThan(4 * Math.sqrt(n * noneRate * (1 - noneRate)));
    }
  });

  it('augments training crops only, and refuses rates outside [0, 1]', async () => {
    const card = { rank: 'K', suit: 'spades' } as const;
    const plain = { restyleIndexRate: 0, swapMiddleRate: { face: 0, other: 0 } };
    const decks = { onlyDecks: ['svg-standard'] as const };
    const render = async (r: CardCropRenderer, i: number) => Buffer.from((await r.render(5, i, { card })).pixels);
    // Test splits: the defaults are no augmentation at all.
    const seen = await CardCropRenderer.create({ split: 'seen-test', ...decks });
    const seenPlain = await CardCropRenderer.create({ split: 'seen-test', ...decks, ...plain });
    // Train split: by default most face cards get another card's middle or a restyled index.
    const train = await CardCropRenderer.create({ split: 'train', ...decks });
    const trainPlain = await CardCropRenderer.create({ split: 'train', ...decks, ...plain });
    let augmented = 0;
    for (let i = 0; i < 8; i++) {
      expect((await render(seen, i)).equals(await render(seenPlain, i))).toBe(true);
      if (!(await render(train, i)).equals(await render(trainPlain, i))) augmented++;
    }
    expect(augmented).toBeGreaterThanOrEqual(3);
    for (const bad of [{ restyleIndexRate: 1.5 }, { swapMiddleRate: { face: -0.1, other: 0 } }]) {
      await expect(CardCropRenderer.create({ split: 'train', ...decks, ...bad })).rejects.toThrow(RangeError);
    }
  });

  it("gives a card another card's middle: never its own, and a face card another face card's", () => {
    const random = new SeededRandom(3);
    for (const card of [{ rank: 'K', suit: 'spades' } as const, { rank: '7', suit: 'hearts' } as const]) {
      const picked = new Set<string>();
      for (let i = 0; i < 400; i++) {
        const other = otherMiddle(random, card);
        expect(other).not.toEqual(card);
        if (card.rank === 'K') expect(FACE_RANKS).toContain(other.rank);
        picked.add(`${other.rank}${other.suit}`);
      }
      expect(picked.size).toBe(card.rank === 'K' ? 11 : 51);
    }
  });

  it('keeps every split on its own decks', async () => {
    expect(decksOf('unseen-test')).toEqual(HELD_OUT_DECKS);
    await expect(CardCropRenderer.create({ split: 'train', onlyDecks: ['svg-gm-paris'] })).rejects.toThrow(RangeError);
    const renderer = await CardCropRenderer.create({ split: 'unseen-test', onlyDecks: ['svg-nicu-white'] });
    await expect(renderer.render(1, 0, { deck: 'svg-standard' })).rejects.toThrow(RangeError);
    expect((await renderer.render(1, 0)).deck).toBe('svg-nicu-white');
  });
});

describe('WheelCropRenderer', () => {
  it('is deterministic and puts the ball in the labelled pocket', async () => {
    const renderer = await WheelCropRenderer.create({ split: 'train' });
    const again = await WheelCropRenderer.create({ split: 'train' });
    const { width: w, height: h } = WHEEL_CROP;
    const ballRadius = POCKET_RING_RADIUS * WHEEL_CROP_SCALE;
    for (let i = 0; i < 12; i++) {
      const s = await renderer.render(5, i, { state: 'settled', clean: true });
      expect(Buffer.from((await again.render(5, i, { state: 'settled', clean: true })).pixels)).toEqual(
        Buffer.from(s.pixels),
      );
      expect(s.label).not.toBe('not_settled');
      const at = (angle: number): number => {
        const world = s.rotorAngle + angle - Math.PI / 2;
        return luminance(s.pixels, w, w / 2 + ballRadius * Math.cos(world), h / 2 + ballRadius * Math.sin(world));
      };
      const pocketAngle = angleOfPocket(s.label as number);
      // The white ball sits in its pocket; the neighbouring pockets are dark.
      expect(at(pocketAngle), `sample ${i}, pocket ${s.label}`).toBeGreaterThan(170);
      // The geometry the wheel model is supervised with: the ball's centre, and the zero pocket's.
      expect(s.ball).not.toBeNull();
      expect(luminance(s.pixels, w, s.ball!.x, s.ball!.y)).toBeGreaterThan(170);
      const zero = (Math.round(s.zero.y) * w + Math.round(s.zero.x)) * 3;
      const [r, g, b] = [s.pixels[zero]!, s.pixels[zero + 1]!, s.pixels[zero + 2]!];
      // (Unless the ball lies in it.)
      if (s.label !== 0)
        expect(g, `zero pocket at ${s.zero.x}, ${s.zero.y}: ${r},${g},${b}`).toBeGreaterThan(Math.max(r, b) + 20);
      expect(Math.hypot(s.zero.x - w / 2, s.zero.y - h / 2)).toBeCloseTo(POCKET_RING_RADIUS * WHEEL_CROP_SCALE, 3);
      expect(at(pocketAngle + 2 * POCKET_ARC)).toBeLessThan(120);
      expect(at(pocketAngle - 2 * POCKET_ARC)).toBeLessThan(120);
    }
  });

  it("produces 'not_settled' samples at the requested rate", async () => {
    const renderer = await WheelCropRenderer.create({ split: 'train', notSettledRate: 0.3 });
    const n = 300;
    let moving = 0;
    for (let i = 0; i < n; i++) if ((await renderer.render(2, i)).labelClass === NOT_SETTLED_CLASS) moving++;
    expect(Math.abs(moving - n * 0.3)).toBeLessThan(4 * Math.sqrt(n * 0.3 * 0.7));
  });
});

describe('writeDataset', () => {
  it('writes shards, labels and a manifest numpy can read', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vision-ds-'));
    const manifest = await writeDataset({ kind: 'wheel', split: 'seen-test', count: 10, seed: 1, out, shardSize: 4 });
    const onDisk = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as DatasetManifest;
    expect(onDisk).toEqual(manifest);
    expect(manifest.shape).toEqual([128, 128, 3]);
    expect(manifest.shards.map((s) => s.count)).toEqual([4, 4, 2]);
    const bytes = 128 * 128 * 3;
    for (const shard of manifest.shards) {
      expect(readFileSync(join(out, shard.file)).length).toBe(shard.count * bytes);
    }
    const labels = new Int16Array(new Uint8Array(readFileSync(join(out, 'labels.bin'))).buffer);
    expect(labels).toHaveLength(10);
    const csv = readFileSync(join(out, 'labels.csv'), 'utf8').trim().split('\n').slice(1);
    expect(csv.map((line) => Number(line.split(',')[1]))).toEqual([...labels]);
    const renderer = await WheelCropRenderer.create({ split: 'seen-test' });
    const fifth = await renderer.render(1, 5);
    const shard1 = readFileSync(join(out, 'images-00001.bin'));
    expect(Buffer.from(fifth.pixels).equals(shard1.subarray(bytes, 2 * bytes))).toBe(true);
    expect(labels[5]).toBe(fifth.labelClass);
    expect(manifest.geometry?.columns).toEqual(['zeroX', 'zeroY', 'ballX', 'ballY']);
    const geometry = new Float32Array(new Uint8Array(readFileSync(join(out, 'geometry.bin'))).buffer);
    expect(geometry).toHaveLength(40);
    expect(geometry[20]).toBeCloseTo(fifth.zero.x, 3);
    expect(geometry[21]).toBeCloseTo(fifth.zero.y, 3);
    if (fifth.ball) expect(geometry[22]).toBeCloseTo(fifth.ball.x, 3);
    else expect(geometry[22]).toBeNaN();
  });
});
