import { type Card, RANKS, SUITS } from '@live-casino/protocol/games/baccarat';
import { DEFAULT_MODEL_DIR, type LoadOptions, OnnxClassifier, type Reading } from './OnnxClassifier.js';
import { join } from 'node:path';

/**
 * Reads the card at one dealing position from a 96x144 RGB crop (vision/src/dataset CARD_CROP, cut
 * with cardCropToReference): 52 cards, suit-major A..K (protocol SUITS x RANKS), or 'none'. The
 * card may lie either way up.
 *
 *   const reader = await CardReader.load();       // default vision/models/cards.onnx
 *   const [r] = await reader.read([crop]);        // { classIndex, label: 'Qh' | 'none', confidence }
 *   CardReader.cardOf(r)                          // { rank: 'Q', suit: 'hearts' } or null
 */
export const CARD_READER_INPUT = { width: 96, height: 144, channels: 3 } as const;
export const CARD_READER_CLASSES = 53;
export const NO_CARD_CLASS_INDEX = 52;
export const DEFAULT_CARD_MODEL = join(DEFAULT_MODEL_DIR, 'cards.onnx');

export class CardReader extends OnnxClassifier {
  static async load(path: string = DEFAULT_CARD_MODEL, opts: LoadOptions = {}): Promise<CardReader> {
    const spec = { kind: 'cards', ...CARD_READER_INPUT, classes: CARD_READER_CLASSES } as const;
    const { entry, session } = await OnnxClassifier.open(spec, path, opts);
    return new CardReader(spec, path, entry, session);
  }

  /** The card a reading names, or null for 'none'. */
  static cardOf(reading: Pick<Reading, 'classIndex'>): Card | null {
    const i = reading.classIndex;
    if (!Number.isInteger(i) || i < 0 || i >= CARD_READER_CLASSES) throw new RangeError(`no card class ${i}`);
    if (i === NO_CARD_CLASS_INDEX) return null;
    return { rank: RANKS[i % RANKS.length] as Card['rank'], suit: SUITS[Math.floor(i / RANKS.length)] as Card['suit'] };
  }
}
