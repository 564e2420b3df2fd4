import { POCKET_COUNT } from '@live-casino/protocol/games/roulette';
import { type Canvas, createCanvas } from '@napi-rs/canvas';
import {
  nodeLayerFactory,
  REF_HEIGHT,
  REF_WIDTH,
  ROULETTE_LAYOUT,
  ROULETTE_TIMELINE,
  RouletteScene,
} from '@live-casino/studio/simulator';
import { SeededRandom, degrade, drawChip, drawHand, hashSeed, randomDegradation } from './Augment.js';
import { DATASET_SPLITS, type DatasetSplit } from './CardCrops.js';
import { type Mat3, apply, chain, invert, rotate, scale, shear, tilt, translate, warp } from '../image/ImageOps.js';
import { WHEEL_READER_INPUT } from '../models/WheelReader.js';

/**
 * Roulette reader input: 128x128 RGB (HWC, uint8) around the rotor. The pocket ring is ~42 px
 * from the centre, ~7 px per pocket, the ball ~6 px across: the ball and the green zero (colour
 * matters) are enough to tell the pocket by angle; printed numbers are not needed.
 */
export const WHEEL_CROP = WHEEL_READER_INPUT;

/** Class index: the pocket number 0-36, 37 = ball moving or not on the wheel. */
export const NOT_SETTLED_CLASS = POCKET_COUNT;
export const WHEEL_CLASSES: readonly string[] = [
  ...Array.from({ length: POCKET_COUNT }, (_, i) => String(i)),
  'not_settled',
];
export type WheelLabel = number | 'not_settled';

/** The simulator's wheel in its 640x360 reference frame (RouletteScene's own geometry). */
export const WHEEL_GEOMETRY = ROULETTE_LAYOUT;

/**
 * Crop pixels per reference unit before jitter: 108 units each side of the centre fill the crop,
 * i.e. the rotor out to its number ring (97) with a margin; the ball track (127) is outside, so a
 * ball still running shows as no ball in the pockets. Tighter than the whole rim (0.59 px per
 * unit instead of 0.42) so that the ball is ~6 px across.
 */
export const WHEEL_CROP_SCALE = WHEEL_CROP.width / (2 * 108);

/** Distance of a settled ball (and of every pocket's centre) from the wheel's centre, in reference units. */
export const POCKET_RING_RADIUS = 70.5;

/** Maps crop pixels to reference-frame coordinates: the crop the live reader takes. */
export function wheelCropToReference(): Mat3 {
  return chain(
    translate(WHEEL_GEOMETRY.cx, WHEEL_GEOMETRY.cy),
    scale(1 / WHEEL_CROP_SCALE),
    translate(-WHEEL_CROP.width / 2, -WHEEL_CROP.height / 2),
  );
}

/** Px per reference unit of the rendered frame: ~2.4x the crop's; the warp supersamples 2x2. */
const SRC_SCALE = 1;
/**
 * The ball reaches the pocket ring 0.875 s after it drops and then rolls on, ever slower, for
 * 1.6 s: in one frame (no motion blur) it looks like a ball resting in whatever pocket it is
 * passing. 'not_settled' samples stop before that (settledness over time is the live worker's
 * debouncing), so the label stays a function of the picture.
 */
const SETTLING_MARGIN_MS = 1_700;

export interface WheelCropOptions {
  /** 'settled' for a pocket label, 'not_settled' for a moving/absent ball; random if undefined. */
  state?: 'settled' | 'not_settled';
  clean?: boolean;
}

export interface WheelCropSample {
  /** RGB, HWC, WHEEL_CROP.height x WHEEL_CROP.width x 3. */
  readonly pixels: Uint8Array;
  readonly label: WheelLabel;
  readonly labelClass: number;
  /** Rotor angle of the frame (radians clockwise, zero pocket from 12 o'clock). */
  readonly rotorAngle: number;
  /** Where the zero pocket's centre is in the crop (pixels, after the camera jitter). */
  readonly zero: { readonly x: number; readonly y: number };
  /** Where the ball's centre is in the crop (may lie outside it), or null while the dealer holds it. */
  readonly ball: { readonly x: number; readonly y: number } | null;
}

export interface WheelCropRendererOptions {
  split: DatasetSplit;
  /** Share of samples with the ball moving or absent (default 0.25). */
  notSettledRate?: number;
}

/**
 * Renders labelled crops of the simulator's roulette wheel: a frame of the real RouletteScene at
 * a random moment of a random round (so the rotor is at any angle and the pocket is the scene's
 * own, solved ball path included), then occluders away from the ball, camera jitter and
 * degradations. Sample i of a seed is a pure function of (split, seed, i).
 */
export class WheelCropRenderer {
  readonly split: DatasetSplit;
  readonly notSettledRate: number;
  readonly #scene: RouletteScene;
  readonly #frame: Canvas;

  private constructor(split: DatasetSplit, notSettledRate: number) {
    this.split = split;
    this.notSettledRate = notSettledRate;
    this.#scene = new RouletteScene({ tableName: 'dataset', seed: 7, epochMs: 0, createLayer: nodeLayerFactory });
    this.#frame = createCanvas(REF_WIDTH * SRC_SCALE, REF_HEIGHT * SRC_SCALE);
  }

  static async create(opts: WheelCropRendererOptions): Promise<WheelCropRenderer> {
    return new WheelCropRenderer(opts.split, opts.notSettledRate ?? 0.25);
  }

  async render(seed: number, index: number, opts: WheelCropOptions = {}): Promise<WheelCropSample> {
    const random = new SeededRandom(hashSeed(seed, 100 + DATASET_SPLITS.indexOf(this.split), index));
    const clean = opts.clean ?? false;
    const T = ROULETTE_TIMELINE;
    const settled = opts.state ? opts.state === 'settled' : random.next() >= this.notSettledRate;
    const round = 1 + random.below(1_000_000);
    const start = round * T.cycle;
    let time: number;
    if (settled) {
      // From the settle until the dealer lifts the ball early in the next round.
      time = start + random.between(T.ballSettled, T.cycle + T.ballRemoved);
    } else if (random.next() < 0.75) {
      time = start + random.between(T.ballLaunched, T.ballSettled - SETTLING_MARGIN_MS);
    } else {
      time = start + random.between(T.ballRemoved, T.ballLaunched);
    }
    const scene = this.#scene;
    scene.advance(time);
    const ctx = this.#frame.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    scene.draw(ctx, this.#frame.width, this.#frame.height);

    const { cx, cy } = WHEEL_GEOMETRY;
    const rotorAngle = scene.rotorAngle(time);
    const ball = scene.ballPosition(time);
    if (!clean && random.next() < 0.3) {
      // A hand or a chip over the rim, on the side away from the ball: it must stay readable.
      const ballWorld = ball ? rotorAngle + ball.angle - Math.PI / 2 : random.between(0, 2 * Math.PI);
      const a = ballWorld + Math.PI + random.between(-1, 1);
      const r = random.between(110, 150);
      ctx.setTransform(SRC_SCALE, 0, 0, SRC_SCALE, 0, 0);
      if (random.next() < 0.6)
        drawHand(ctx, random, cx + r * Math.cos(a), cy + r * Math.sin(a), random.between(45, 70), a);
      else drawChip(ctx, random, cx + r * Math.cos(a), cy + r * Math.sin(a), random.between(9, 13));
    }

    const jitter = clean ? 0 : 1;
    const s = 1 + jitter * random.between(-0.1, 0.1);
    const outToSrc = chain(
      scale(SRC_SCALE),
      // The live crop comes from a fixed camera through the same geometry: a couple of units off
      // centre covers the video scaling; more would make angles about the centre lie.
      translate(jitter * random.between(-2, 2), jitter * random.between(-2, 2)),
      wheelCropToReference(),
      translate(WHEEL_CROP.width / 2, WHEEL_CROP.height / 2),
      rotate(jitter * random.between(-0.17, 0.17)),
      shear(jitter * random.between(-0.02, 0.02)),
      tilt(jitter * random.between(-0.0015, 0.0015), jitter * random.between(-0.0015, 0.0015)),
      scale(1 / s),
      translate(-WHEEL_CROP.width / 2, -WHEEL_CROP.height / 2),
    );
    const data = ctx.getImageData(0, 0, this.#frame.width, this.#frame.height).data;
    let pixels = warp(
      data,
      this.#frame.width,
      this.#frame.height,
      outToSrc,
      WHEEL_CROP.width,
      WHEEL_CROP.height,
      2,
      [6, 58, 34],
    );
    if (!clean) {
      pixels = await degrade(pixels, WHEEL_CROP.width, WHEEL_CROP.height, randomDegradation(random), random);
    }
    // Settled samples run into the next round, where the ball still lies in this round's pocket.
    const label: WheelLabel = settled ? scene.pocketOf(round) : 'not_settled';
    const srcToOut = invert(outToSrc);
    const toCrop = (angle: number, radius: number): { x: number; y: number } => {
      const world = rotorAngle + angle - Math.PI / 2;
      const [x, y] = apply(
        srcToOut,
        (cx + radius * Math.cos(world)) * SRC_SCALE,
        (cy + radius * Math.sin(world)) * SRC_SCALE,
      );
      return { x, y };
    };
    return {
      pixels,
      label,
      labelClass: label === 'not_settled' ? NOT_SETTLED_CLASS : label,
      rotorAngle,
      zero: toCrop(0, POCKET_RING_RADIUS),
      ball: ball ? toCrop(ball.angle, ball.radius) : null,
    };
  }
}
