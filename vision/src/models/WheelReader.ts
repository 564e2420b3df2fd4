import { POCKET_COUNT } from '@live-casino/protocol/games/roulette';
import { join } from 'node:path';
import { DEFAULT_MODEL_DIR, type LoadOptions, OnnxClassifier, type Reading } from './OnnxClassifier.js';

/**
 * Reads the roulette pocket holding the ball from a 128x128 RGB crop of the wheel (vision/src/dataset
 * WHEEL_CROP, cut with wheelCropToReference): pockets 0..36, or 'not_settled' when no ball rests in
 * a pocket. One frame cannot tell a ball rolling slowly over a pocket from one at rest: settledness
 * is decided by the caller over several frames.
 *
 *   const reader = await WheelReader.load();      // default vision/models/wheel.onnx
 *   const [r] = await reader.read([crop]);        // { classIndex, label: '17' | 'not_settled', confidence }
 *   WheelReader.pocketOf(r)                       // 17, or null for not settled
 */
export const WHEEL_READER_INPUT = { width: 128, height: 128, channels: 3 } as const;
export const WHEEL_READER_CLASSES = POCKET_COUNT + 1;
export const NOT_SETTLED_CLASS_INDEX = POCKET_COUNT;
export const DEFAULT_WHEEL_MODEL = join(DEFAULT_MODEL_DIR, 'wheel.onnx');

export class WheelReader extends OnnxClassifier {
  static async load(path: string = DEFAULT_WHEEL_MODEL, opts: LoadOptions = {}): Promise<WheelReader> {
    const spec = { kind: 'wheel', ...WHEEL_READER_INPUT, classes: WHEEL_READER_CLASSES } as const;
    const { entry, session } = await OnnxClassifier.open(spec, path, opts);
    return new WheelReader(spec, path, entry, session);
  }

  /** The pocket a reading names, or null for 'not_settled'. */
  static pocketOf(reading: Pick<Reading, 'classIndex'>): number | null {
    const i = reading.classIndex;
    if (!Number.isInteger(i) || i < 0 || i >= WHEEL_READER_CLASSES) throw new RangeError(`no wheel class ${i}`);
    return i === NOT_SETTLED_CLASS_INDEX ? null : i;
  }
}
