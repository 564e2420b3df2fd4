import { type Mat3, chain, scale, toRgba, warp } from '../image/ImageOps.js';
import { CARD_READER_INPUT } from '../models/CardReader.js';
import { WHEEL_READER_INPUT } from '../models/WheelReader.js';
import { cropToFrame, REGION_NAMES, type RegionName, type TableCalibration } from './Calibration.js';

export type { GameKind, RegionName } from './Calibration.js';

/** One region the reader looks at: a crop of the frame, of the model's input size. */
export interface Region {
  /** `wheel`, or the dealing position. */
  readonly name: RegionName;
  readonly model: 'wheel' | 'cards';
  readonly width: number;
  readonly height: number;
  /** Crop pixel -> frame coordinates as fractions of the frame's width and height. */
  readonly toFrame: Mat3;
}

/** A decoded frame: RGB, rows top to bottom (HWC), any size. */
export interface FramePixels {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** A region's crop: RGB, HWC, `region.height` x `region.width` x 3, as the readers take it. */
export interface RegionCrop {
  readonly region: Region;
  readonly pixels: Uint8Array;
}

/** The regions a table's calibration places, in the game's reading order, each of its model's input size. */
export function regionsOf(calibration: TableCalibration): readonly Region[] {
  return REGION_NAMES[calibration.game].map((name) => {
    const quad = calibration.regions[name];
    if (!quad) throw new RangeError(`calibration has no region ${name}`);
    const input = name === 'wheel' ? WHEEL_READER_INPUT : CARD_READER_INPUT;
    return {
      name,
      model: name === 'wheel' ? ('wheel' as const) : ('cards' as const),
      width: input.width,
      height: input.height,
      toFrame: cropToFrame(quad, input.width, input.height),
    };
  });
}

/**
 * Cuts the regions out of a frame with the training warp (ImageOps.warp, 2x2 supersampled,
 * bilinear), whatever the frame's size.
 */
export function cropRegions(frame: FramePixels, regions: readonly Region[]): RegionCrop[] {
  const { width, height, rgb } = frame;
  if (!(width > 0 && height > 0) || rgb.length !== width * height * 3) {
    throw new RangeError(`frame ${width}x${height} needs ${width * height * 3} RGB bytes, has ${rgb.length}`);
  }
  const rgba = toRgba(rgb, width, height);
  const toPixels = scale(width, height);
  return regions.map((region) => ({
    region,
    pixels: warp(rgba, width, height, chain(toPixels, region.toFrame), region.width, region.height, 2),
  }));
}
