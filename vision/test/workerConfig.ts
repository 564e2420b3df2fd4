import { join } from 'node:path';
import { type GameKind, loadCalibrationFile, simulatedCalibrationPath } from '../src/live/Calibration.js';
import type { VisionConfig, VisionTable } from '../src/live/config.js';
import type { ReadSpec } from '../src/live/InferencePool.js';
import { regionsOf } from '../src/live/Regions.js';
import { DEFAULT_MODEL_DIR } from '../src/models/OnnxClassifier.js';

const MODELS = process.env.VISION_MODELS_DIR ?? DEFAULT_MODEL_DIR;

/** A live worker's configuration for tests: the committed models, one inference thread, no sfu. */
export function workerConfig(
  tableServiceUrl: string,
  tables: readonly (Pick<VisionTable, 'tableId' | 'game'> & Partial<VisionTable>)[],
  secret = 'secret',
): VisionConfig {
  return {
    tables: tables.map((t) => ({ ...simulatedTable(t.game), ...t })),
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

/** A table read where the simulated tables have their regions (vision/calibration/simulated-GAME.json). */
export function simulatedTable(game: GameKind): Pick<VisionTable, 'calibration' | 'calibrationSource'> {
  const file = simulatedCalibrationPath(game);
  return { calibration: loadCalibrationFile(file, game), calibrationSource: file };
}

/** What the pool reads of a simulated table's frames. */
export function simulatedReadSpec(game: GameKind): ReadSpec {
  return { game, regions: regionsOf(simulatedTable(game).calibration) };
}
