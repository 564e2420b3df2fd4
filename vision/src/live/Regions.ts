import { CARD_POSITIONS, type CardPosition } from '@live-casino/protocol/games/baccarat';
import { REF_HEIGHT, REF_WIDTH } from '@live-casino/studio/simulator';
import { CARD_CROP, cardCropToReference } from '../dataset/CardCrops.js';
import { type Mat3, chain, scale, toRgba, warp } from '../dataset/ImageOps.js';
import { WHEEL_CROP, wheelCropToReference } from '../dataset/WheelCrops.js';

export type GameKind = 'roulette' | 'baccarat';

/** One region the reader looks at: a crop of the frame, in the training crops' geometry. */
export interface Region {
  /** `wheel`, or the dealing position. */
  readonly name: 'wheel' | CardPosition;
  readonly model: 'wheel' | 'cards';
  readonly width: number;
  readonly height: number;
  /** Crop pixel -> reference-frame (640x360 units) coordinates. */
  readonly toReference: Mat3;
}

/** A decoded frame: RGB, rows top to bottom (HWC), any size (the reference frame is 640x360). */
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

/**
 * The regions of a game's table: where the training crops were cut (vision/src/dataset), so that
 * a crop of a live frame looks like a training crop. Third cards are cut turned with the card.
 */
export function regionsOf(game: GameKind): readonly Region[] {
  switch (game) {
    case 'roulette':
      return [
        {
          name: 'wheel',
          model: 'wheel',
          width: WHEEL_CROP.width,
          height: WHEEL_CROP.height,
          toReference: wheelCropToReference(),
        },
      ];
    case 'baccarat':
      return CARD_POSITIONS.map((position) => ({
        name: position,
        model: 'cards' as const,
        width: CARD_CROP.width,
        height: CARD_CROP.height,
        toReference: cardCropToReference(position),
      }));
    default: {
      const unknown: never = game;
      throw new RangeError(`no regions for game ${String(unknown)}`);
    }
  }
}

/**
 * Cuts the regions out of a frame with the training warp (ImageOps.warp, 2x2 supersampled,
 * bilinear): the reference geometry scaled by the frame's pixels per reference unit.
 */
export function cropRegions(frame: FramePixels, regions: readonly Region[]): RegionCrop[] {
  const { width, height, rgb } = frame;
  if (!(width > 0 && height > 0) || rgb.length !== width * height * 3) {
    throw new RangeError(`frame ${width}x${height} needs ${width * height * 3} RGB bytes, has ${rgb.length}`);
  }
  const rgba = toRgba(rgb, width, height);
  const toFrame = scale(width / REF_WIDTH, height / REF_HEIGHT);
  return regions.map((region) => ({
    region,
    pixels: warp(rgba, width, height, chain(toFrame, region.toReference), region.width, region.height, 2),
  }));
}
