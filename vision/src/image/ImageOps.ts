/**
 * Pure image operations: the perspective warp that both the datasets and the live reader cut their
 * crops with, and the camera/codec degradations the datasets apply after it. Images are RGB, 8-bit,
 * rows top to bottom (HWC), unless noted.
 */

/** A 3x3 homography, row-major: [x', y', w'] = M [x, y, 1]. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function multiply(a: Mat3, b: Mat3): Mat3 {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
    }
  }
  return out as unknown as Mat3;
}

/** Composes left to right as written: `chain(A, B, C)` maps a point through C, then B, then A. */
export function chain(...ms: Mat3[]): Mat3 {
  return ms.reduce((acc, m) => multiply(acc, m), IDENTITY);
}

export const translate = (x: number, y: number): Mat3 => [1, 0, x, 0, 1, y, 0, 0, 1];
export const scale = (sx: number, sy = sx): Mat3 => [sx, 0, 0, 0, sy, 0, 0, 0, 1];
export const rotate = (a: number): Mat3 => [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1];
export const shear = (kx: number): Mat3 => [1, kx, 0, 0, 1, 0, 0, 0, 1];
/** A small projective tilt: points with larger p·x + q·y appear foreshortened. */
export const tilt = (p: number, q: number): Mat3 => [1, 0, 0, 0, 1, 0, p, q, 1];

/** Inverse of a (non-singular) homography. */
export function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-12) throw new RangeError('singular transform');
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

/** A point (x, y). */
export type Point = readonly [number, number];

/**
 * The homography taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to `quad`'s four
 * corners in that order (Heckbert's closed form): affine when the quad is a parallelogram.
 */
export function unitSquareTo(quad: readonly [Point, Point, Point, Point]): Mat3 {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = quad;
  const sx = x0 - x1 + x2 - x3;
  const sy = y0 - y1 + y2 - y3;
  if (Math.abs(sx) < 1e-12 && Math.abs(sy) < 1e-12) {
    return [x1 - x0, x2 - x1, x0, y1 - y0, y2 - y1, y0, 0, 0, 1];
  }
  const dx1 = x1 - x2;
  const dx2 = x3 - x2;
  const dy1 = y1 - y2;
  const dy2 = y3 - y2;
  const det = dx1 * dy2 - dx2 * dy1;
  if (Math.abs(det) < 1e-12) throw new RangeError('degenerate quad');
  const g = (sx * dy2 - dx2 * sy) / det;
  const h = (dx1 * sy - sx * dy1) / det;
  return [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1];
}

export function apply(m: Mat3, x: number, y: number): [number, number] {
  const w = m[6] * x + m[7] * y + m[8];
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

/**
 * Output pixel (u, v) takes the source (RGBA) at `outToSrc` applied to its centre, bilinear,
 * averaged over ss x ss sub-samples (the warp usually shrinks by 2-3x; this keeps print legible
 * rather than aliased). Outside the source: `fill`.
 */
export function warp(
  src: Uint8ClampedArray,
  sw: number,
  sh: number,
  outToSrc: Mat3,
  ow: number,
  oh: number,
  ss = 2,
  fill: readonly [number, number, number] = [0, 0, 0],
): Uint8Array {
  const out = new Uint8Array(ow * oh * 3);
  const inv = 1 / (ss * ss);
  const rgb = [0, 0, 0];
  for (let v = 0; v < oh; v++) {
    for (let u = 0; u < ow; u++) {
      rgb[0] = rgb[1] = rgb[2] = 0;
      for (let j = 0; j < ss; j++) {
        for (let i = 0; i < ss; i++) {
          const [x, y] = apply(outToSrc, u + (i + 0.5) / ss, v + (j + 0.5) / ss);
          sampleBilinear(src, sw, sh, x - 0.5, y - 0.5, fill, rgb);
        }
      }
      const o = (v * ow + u) * 3;
      out[o] = rgb[0]! * inv + 0.5;
      out[o + 1] = rgb[1]! * inv + 0.5;
      out[o + 2] = rgb[2]! * inv + 0.5;
    }
  }
  return out;
}

function sampleBilinear(
  src: Uint8ClampedArray,
  sw: number,
  sh: number,
  x: number,
  y: number,
  fill: readonly [number, number, number],
  acc: number[],
): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const w00 = (1 - fx) * (1 - fy);
  const w10 = fx * (1 - fy);
  const w01 = (1 - fx) * fy;
  const w11 = fx * fy;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
    const i00 = (y0 * sw + x0) * 4;
    const i01 = i00 + sw * 4;
    for (let c = 0; c < 3; c++) {
      acc[c]! += w00 * src[i00 + c]! + w10 * src[i00 + 4 + c]! + w01 * src[i01 + c]! + w11 * src[i01 + 4 + c]!;
    }
    return;
  }
  const inside = (xx: number, yy: number): number =>
    xx < 0 || yy < 0 || xx >= sw || yy >= sh ? -1 : (yy * sw + xx) * 4;
  const corners = [inside(x0, y0), inside(x0 + 1, y0), inside(x0, y0 + 1), inside(x0 + 1, y0 + 1)];
  const weights = [w00, w10, w01, w11];
  for (let c = 0; c < 3; c++) {
    for (let k = 0; k < 4; k++) {
      const i = corners[k]!;
      acc[c]! += weights[k]! * (i < 0 ? fill[c]! : src[i + c]!);
    }
  }
}

export interface Lighting {
  /** Overall gain, 1 = unchanged. */
  readonly brightness: number;
  readonly contrast: number;
  /** Per-channel gain (white balance). */
  readonly tint: readonly [number, number, number];
  /** Linear illumination gradient across the image: gain at the centre 1, ± this at the edges. */
  readonly gradient: number;
  /** Direction of the gradient, radians. */
  readonly gradientAngle: number;
  readonly gamma: number;
}

/** Camera exposure, white balance, uneven studio lighting and gamma, in place. */
export function relight(img: Uint8Array, w: number, h: number, l: Lighting): void {
  const dx = Math.cos(l.gradientAngle) / Math.max(1, w / 2);
  const dy = Math.sin(l.gradientAngle) / Math.max(1, h / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const g = l.brightness * (1 + l.gradient * ((x - w / 2) * dx + (y - h / 2) * dy));
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        let v = img[o + c]! / 255;
        v = (v - 0.5) * l.contrast + 0.5;
        v = Math.max(0, v * g * l.tint[c]!);
        img[o + c] = Math.min(255, 255 * v ** l.gamma + 0.5);
      }
    }
  }
}

/** Separable [w, 1 - 2w, w] blur, `passes` times (defocus / motion softness), in place. */
export function blur(img: Uint8Array, w: number, h: number, weight: number, passes: number): void {
  if (weight <= 0 || passes <= 0) return;
  const tmp = new Float32Array(img.length);
  const mid = 1 - 2 * weight;
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const l = Math.max(0, x - 1);
        const r = Math.min(w - 1, x + 1);
        for (let c = 0; c < 3; c++) {
          const row = y * w;
          tmp[(row + x) * 3 + c] =
            weight * img[(row + l) * 3 + c]! + mid * img[(row + x) * 3 + c]! + weight * img[(row + r) * 3 + c]!;
        }
      }
    }
    for (let y = 0; y < h; y++) {
      const t = Math.max(0, y - 1);
      const b = Math.min(h - 1, y + 1);
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          img[(y * w + x) * 3 + c] =
            weight * tmp[(t * w + x) * 3 + c]! +
            mid * tmp[(y * w + x) * 3 + c]! +
            weight * tmp[(b * w + x) * 3 + c]! +
            0.5;
        }
      }
    }
  }
}

/** Additive Gaussian sensor noise with standard deviation `sigma` (0-255 scale), in place. */
export function addNoise(img: Uint8Array, sigma: number, gaussian: () => number): void {
  if (sigma <= 0) return;
  for (let i = 0; i < img.length; i++) img[i] = Math.max(0, Math.min(255, img[i]! + sigma * gaussian() + 0.5));
}

/** RGB (HWC) to RGBA for a canvas ImageData. */
export function toRgba(img: Uint8Array, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    out[i * 4] = img[j]!;
    out[i * 4 + 1] = img[j + 1]!;
    out[i * 4 + 2] = img[j + 2]!;
    out[i * 4 + 3] = 255;
  }
  return out;
}

export function fromRgba(rgba: Uint8ClampedArray, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    out[j] = rgba[i * 4]!;
    out[j + 1] = rgba[i * 4 + 1]!;
    out[j + 2] = rgba[i * 4 + 2]!;
  }
  return out;
}
