import { join } from 'node:path';
import type { VisionConfig } from '../src/live/config.js';
import { DEFAULT_MODEL_DIR } from '../src/models/OnnxClassifier.js';

const MODELS = process.env.VISION_MODELS_DIR ?? DEFAULT_MODEL_DIR;

/** A live worker's configuration for tests: the committed models, one inference thread, no sfu. */
export function workerConfig(tableServiceUrl: string, tables: VisionConfig['tables'], secret = 'secret'): VisionConfig {
  return {
    tables,
    tableServiceUrl,
    sfuUrl: 'http://127.0.0.1:9',
    serviceId: 'vision',
    serviceSecret: secret,
    readFps: 15,
    stableReads: { roulette: 5, baccarat: 3 },
    cardModelPath: join(MODELS, 'cards.onnx'),
    wheelModelPath: join(MODELS, 'wheel.onnx'),
    inferenceThreads: 1,
    modelRetryMs: 200,
    host: '127.0.0.1',
    port: 0,
    stallMs: 2_000,
  };
}
