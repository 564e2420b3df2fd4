import { CardReader } from '../models/CardReader.js';
import type { Reading } from '../models/OnnxClassifier.js';
import { WheelReader } from '../models/WheelReader.js';
import type { ModelKind } from './InferenceTypes.js';

export interface LoadedReader {
  read(batch: Uint8Array[]): Promise<readonly Reading[]>;
}

/** The reader of a model file; throws the reader's ModelLoadError for a missing or broken file. */
export async function loadReader(kind: ModelKind, path: string): Promise<LoadedReader> {
  switch (kind) {
    case 'cards':
      return CardReader.load(path);
    case 'wheel':
      return WheelReader.load(path);
    default: {
      const unknown: never = kind;
      throw new RangeError(`no reader for ${String(unknown)}`);
    }
  }
}
