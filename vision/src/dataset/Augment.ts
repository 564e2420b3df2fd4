import { createCanvas, loadImage } from '@napi-rs/canvas';
import { SeededRandom } from '@live-casino/studio/simulator';
import type { Canvas2D } from '@live-casino/studio/simulator';
import { type Lighting, addNoise, blur, fromRgba, relight, toRgba } from '../image/ImageOps.js';

export { SeededRandom };
export { hashSeed } from '@live-casino/studio/simulator';

/** Standard normal deviate (Box-Muller) from the seeded generator. */
export function gaussian(random: SeededRandom): number {
  const u = Math.max(1e-12, random.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

export function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.below(items.length)] as T;
}

/** Everything that happens to the picture between the table and the reader. */
export interface Degradation {
  readonly lighting: Lighting;
  readonly blurWeight: number;
  readonly blurPasses: number;
  readonly noiseSigma: number;
  /** JPEG quality 0-100, or null for none. */
  readonly jpegQuality: number | null;
}

export function randomDegradation(random: SeededRandom): Degradation {
  const b = random.between(0.94, 1.06);
  return {
    lighting: {
      brightness: random.between(0.65, 1.25),
      contrast: random.between(0.75, 1.2),
      tint: [b * random.between(0.92, 1.08), random.between(0.94, 1.06), (2 - b) * random.between(0.9, 1.1)],
      gradient: random.between(0, 0.35),
      gradientAngle: random.between(0, 2 * Math.PI),
      gamma: random.between(0.8, 1.25),
    },
    blurWeight: random.next() < 0.7 ? random.between(0.05, 0.25) : 0,
    blurPasses: 1 + random.below(2),
    noiseSigma: random.next() < 0.8 ? random.between(1, 9) : 0,
    jpegQuality: random.next() < 0.85 ? Math.round(random.between(25, 92)) : null,
  };
}

/** Applies a degradation to an RGB (HWC) image; JPEG re-encodes through the canvas codec. */
export async function degrade(
  img: Uint8Array,
  w: number,
  h: number,
  d: Degradation,
  random: SeededRandom,
): Promise<Uint8Array> {
  relight(img, w, h, d.lighting);
  blur(img, w, h, d.blurWeight, d.blurPasses);
  addNoise(img, d.noiseSigma, () => gaussian(random));
  if (d.jpegQuality === null) return img;
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const data = ctx.createImageData(w, h);
  data.data.set(toRgba(img, w, h));
  ctx.putImageData(data, 0, 0);
  const jpeg = await loadImage(canvas.toBuffer('image/jpeg', d.jpegQuality));
  ctx.drawImage(jpeg, 0, 0);
  return fromRgba(ctx.getImageData(0, 0, w, h).data, w, h);
}

const SKIN = ['#f1c7a5', '#e0ac85', '#c68863', '#8d5a3b', '#5c3a24'] as const;
const CHIP = ['#c0141f', '#1d4fb8', '#1a1a1a', '#0b8a3e', '#6b2ca0', '#e8e8e8'] as const;

/**
 * A dealer's hand entering from direction `angle` (radians) towards (x, y), sized `size`: the palm
 * and four fingers as rounded blobs, in the dealer's skin tone (sometimes a gloved, white hand).
 */
export function drawHand(ctx: Canvas2D, random: SeededRandom, x: number, y: number, size: number, angle: number): void {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate(angle);
  const colour = random.next() < 0.15 ? '#f4f4f0' : pick(random, SKIN);
  ctx.fillStyle = 'rgba(0,0,0,0.3)';
  ctx.beginPath();
  ctx.ellipse(size * 0.12, size * 0.1, size * 0.5, size * 0.36, 0, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = colour;
  ctx.beginPath();
  // Palm behind (towards the dealer, +x), fingers reaching to the point (x, y).
  ctx.ellipse(size * 0.55, 0, size * 0.45, size * 0.34, 0, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillRect(size * 0.55, -size * 0.26, size * 1.2, size * 0.52);
  for (let f = 0; f < 4; f++) {
    const fy = (f - 1.5) * size * 0.15;
    const len = size * (0.5 + (f === 1 || f === 2 ? 0.12 : 0)) * random.between(0.85, 1.1);
    ctx.beginPath();
    ctx.ellipse(size * 0.2 - len / 2 + size * 0.25, fy, len / 2, size * 0.07, 0, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.strokeStyle = 'rgba(0,0,0,0.18)';
  ctx.lineWidth = size * 0.02;
  ctx.stroke();
  ctx.restore();
}

/** A casino chip (edge spots and inlay) of radius r, seen from above. */
export function drawChip(ctx: Canvas2D, random: SeededRandom, x: number, y: number, r: number): void {
  const colour = pick(random, CHIP);
  ctx.fillStyle = 'rgba(0,0,0,0.35)';
  ctx.beginPath();
  ctx.arc(x + r * 0.12, y + r * 0.15, r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = colour === '#e8e8e8' ? '#c0141f' : '#f4f4f0';
  for (let k = 0; k < 6; k++) {
    const a = (k * Math.PI) / 3 + random.next();
    ctx.beginPath();
    ctx.arc(x + r * 0.82 * Math.cos(a), y + r * 0.82 * Math.sin(a), r * 0.14, 0, 2 * Math.PI);
    ctx.fill();
  }
  ctx.strokeStyle = 'rgba(255,255,255,0.7)';
  ctx.lineWidth = r * 0.06;
  ctx.beginPath();
  ctx.arc(x, y, r * 0.6, 0, 2 * Math.PI);
  ctx.stroke();
}
