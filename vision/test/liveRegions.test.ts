import { CARD_POSITIONS, type Card, type CardPosition } from '@live-casino/protocol/games/baccarat';
import {
  BaccaratScene,
  type CardArt,
  CardDeck,
  loadCardArt,
  nodeLayerFactory,
  REF_HEIGHT,
  REF_WIDTH,
  RouletteScene,
} from '@live-casino/studio/simulator';
import { createCanvas } from '@napi-rs/canvas';
import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_CROP, CardCropRenderer } from '../src/dataset/CardCrops.js';
import { apply, chain, fromRgba, invert, rotate, scale, tilt, toRgba, translate, warp } from '../src/image/ImageOps.js';
import type { TableCalibration } from '../src/live/Calibration.js';
import { CardReader } from '../src/models/CardReader.js';
import { WHEEL_CROP, wheelCropToReference } from '../src/dataset/WheelCrops.js';
import { cropRegions, type FramePixels, regionsOf } from '../src/live/Regions.js';
import { simulatedTable } from './workerConfig.js';

/** A frame of the simulated baccarat table at the first moment all of a coup's cards lie face up. */
function dealtFrame(art: CardArt, width = REF_WIDTH, height = REF_HEIGHT) {
  const scene = new BaccaratScene({
    tableName: 'regions',
    seed: 11,
    epochMs: 0,
    createLayer: nodeLayerFactory,
    cardArt: art,
  });
  for (let t = 0; t < 10 * 25_000; t += 100) {
    scene.advance(t);
    const state = scene.state();
    if (state.phase === 'result') {
      const canvas = createCanvas(width, height);
      scene.draw(canvas.getContext('2d'), width, height);
      const rgb = fromRgba(canvas.getContext('2d').getImageData(0, 0, width, height).data, width, height);
      return { frame: { width, height, rgb } satisfies FramePixels, cards: state.cards };
    }
  }
  throw new Error('no coup dealt');
}

/** Mean absolute difference over the crop's middle (the dataset puts random neighbours at the edges). */
function middleDiff(a: Uint8Array, b: Uint8Array, w: number, h: number, rotate180 = false): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(h * 0.15); y < Math.ceil(h * 0.85); y++) {
    for (let x = Math.floor(w * 0.15); x < Math.ceil(w * 0.85); x++) {
      const bx = rotate180 ? w - 1 - x : x;
      const by = rotate180 ? h - 1 - y : y;
      for (let c = 0; c < 3; c++) {
        sum += Math.abs((a[(y * w + x) * 3 + c] as number) - (b[(by * w + bx) * 3 + c] as number));
        n++;
      }
    }
  }
  return sum / n;
}

let art: CardArt;
beforeAll(async () => {
  art = await loadCardArt(CardDeck.load('svg-standard'));
});

describe('Regions', () => {
  it('cuts one crop per dealing position, in the card reader input size', () => {
    const regions = regionsOf(simulatedTable('baccarat').calibration);
    expect(regions.map((r) => r.name)).toEqual([...CARD_POSITIONS]);
    for (const r of regions) expect([r.width, r.height, r.model]).toEqual([CARD_CROP.width, CARD_CROP.height, 'cards']);
    expect(regionsOf(simulatedTable('roulette').calibration).map((r) => [r.name, r.width, r.height])).toEqual([
      ['wheel', WHEEL_CROP.width, WHEEL_CROP.height],
    ]);
  });

  it('a crop of a simulated frame with deck art looks like the training crop of the same card', async () => {
    const { frame, cards } = dealtFrame(art);
    const crops = cropRegions(frame, regionsOf(simulatedTable('baccarat').calibration));
    const renderer = await CardCropRenderer.create({ split: 'train', onlyDecks: ['svg-standard'] });
    for (const { position, card } of cards) {
      const live = crops.find((c) => c.region.name === position)?.pixels as Uint8Array;
      const train = await renderer.render(1, 0, { card, position, deck: 'svg-standard', clean: true });
      const diff = Math.min(
        middleDiff(live, train.pixels, CARD_CROP.width, CARD_CROP.height),
        middleDiff(live, train.pixels, CARD_CROP.width, CARD_CROP.height, true),
      );
      // The same card in the same place: only resampling differs. Another card differs by far more.
      expect(diff, `${position} ${card.rank}${card.suit}`).toBeLessThan(12);
      const other: Card = card.rank === 'K' ? { rank: '2', suit: card.suit } : { rank: 'K', suit: card.suit };
      const wrong = await renderer.render(1, 0, { card: other, position, deck: 'svg-standard', clean: true });
      expect(middleDiff(live, wrong.pixels, CARD_CROP.width, CARD_CROP.height)).toBeGreaterThan(diff + 8);
    }
    // An empty position crops to bare felt.
    const empty = CARD_POSITIONS.filter((p) => !cards.some((c) => c.position === p));
    for (const position of empty) {
      const live = crops.find((c) => c.region.name === position)?.pixels as Uint8Array;
      // (Some 'none' training crops show a face-down card on its way in: take the closest of a few.)
      const diffs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const none = await renderer.render(1, i, { card: null, position, deck: 'svg-standard', clean: true });
        diffs.push(middleDiff(live, none.pixels, CARD_CROP.width, CARD_CROP.height));
      }
      expect(Math.min(...diffs), position).toBeLessThan(12);
    }
  });

  it('scales with the frame: a 1280x720 frame gives (nearly) the crops of the 640x360 one', () => {
    const small = cropRegions(dealtFrame(art).frame, regionsOf(simulatedTable('baccarat').calibration));
    const large = cropRegions(dealtFrame(art, 1280, 720).frame, regionsOf(simulatedTable('baccarat').calibration));
    small.forEach((crop, i) => {
      expect(middleDiff(crop.pixels, large[i]?.pixels as Uint8Array, CARD_CROP.width, CARD_CROP.height)).toBeLessThan(
        15,
      );
    });
  });

  it('the wheel crop of an RGB frame is the training warp of the same frame (calibration rounding aside)', () => {
    const scene = new RouletteScene({ tableName: 'regions', seed: 5, epochMs: 0, createLayer: nodeLayerFactory });
    scene.advance(19_000);
    const canvas = createCanvas(REF_WIDTH, REF_HEIGHT);
    scene.draw(canvas.getContext('2d'), REF_WIDTH, REF_HEIGHT);
    const rgba = canvas.getContext('2d').getImageData(0, 0, REF_WIDTH, REF_HEIGHT).data;
    const [crop] = cropRegions(
      { width: REF_WIDTH, height: REF_HEIGHT, rgb: fromRgba(rgba, REF_WIDTH, REF_HEIGHT) },
      regionsOf(simulatedTable('roulette').calibration),
    );
    const train = warp(
      rgba,
      REF_WIDTH,
      REF_HEIGHT,
      chain(scale(1), wheelCropToReference()),
      WHEEL_CROP.width,
      WHEEL_CROP.height,
      2,
    );
    // The calibration's corners are rounded to 1e-7 of the frame: at most one level off anywhere.
    const live = crop?.pixels as Uint8Array;
    expect(live).toHaveLength(train.length);
    let worst = 0;
    for (let i = 0; i < train.length; i++)
      worst = Math.max(worst, Math.abs((live[i] as number) - (train[i] as number)));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('a camera at an angle: with its own calibration (no code), the reader reads the dealt cards', async () => {
    const { frame, cards } = dealtFrame(art);
    // The table as a 960x540 camera higher and a little to the side sees it: the far side smaller,
    // turned by 3 degrees. H maps the reference frame's pixels to the camera's.
    const cam = { width: 960, height: 540 };
    const h = chain(translate(480, 270), rotate(0.05), tilt(0, 0.0008), scale(1.15), translate(-320, -180));
    const cameraFrame: FramePixels = {
      ...cam,
      rgb: warp(
        toRgba(frame.rgb, frame.width, frame.height),
        frame.width,
        frame.height,
        invert(h),
        cam.width,
        cam.height,
      ),
    };
    // The operator's calibration: each region's corners where the camera shows them.
    const simulated = simulatedTable('baccarat').calibration;
    const camera: TableCalibration = {
      ...simulated,
      regions: Object.fromEntries(
        Object.entries(simulated.regions).map(([name, quad]) => [
          name,
          {
            corners: quad.corners.map(([x, y]) => {
              const [cx, cy] = apply(h, x * frame.width, y * frame.height);
              return [cx / cam.width, cy / cam.height] as [number, number];
            }) as typeof quad.corners,
          },
        ]),
      ),
    };
    const reader = await CardReader.load();
    const calibrated = cropRegions(cameraFrame, regionsOf(camera));
    const reads = await reader.read(calibrated.map((c) => c.pixels));
    calibrated.forEach((crop, i) => {
      const dealt = cards.find((c) => c.position === crop.region.name);
      expect(CardReader.cardOf(reads[i] as { classIndex: number }), crop.region.name).toEqual(
        dealt ? dealt.card : null,
      );
    });
    // The crops of the flat frame, seen through the camera: nearly the same pixels.
    const flat = cropRegions(frame, regionsOf(simulated));
    calibrated.forEach((crop, i) => {
      const diff = middleDiff(crop.pixels, flat[i]?.pixels as Uint8Array, CARD_CROP.width, CARD_CROP.height);
      expect(diff, crop.region.name).toBeLessThan(15);
    });
    // The simulated table's calibration on the camera's picture cuts somewhere else entirely.
    const uncalibrated = cropRegions(cameraFrame, regionsOf(simulated));
    const dealtAt = new Set<string>(cards.map((c) => c.position));
    uncalibrated.forEach((crop, i) => {
      if (!dealtAt.has(crop.region.name)) return;
      const diff = middleDiff(crop.pixels, flat[i]?.pixels as Uint8Array, CARD_CROP.width, CARD_CROP.height);
      expect(diff, crop.region.name).toBeGreaterThan(25);
    });
  });

  it('refuses a frame whose pixels do not match its size', () => {
    expect(() =>
      cropRegions(
        { width: 640, height: 360, rgb: new Uint8Array(10) },
        regionsOf(simulatedTable('roulette').calibration),
      ),
    ).toThrow(RangeError);
  });
});

export type { CardPosition };
