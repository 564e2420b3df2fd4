/**
 * @live-casino/vision: the card and wheel readers, and the live worker that reads the tables from
 * the video the players watch. The training pipeline (src/dataset, src/eval, training/) is run by
 * its scripts and is not part of this API.
 */
export { CardReader, CARD_READER_INPUT, DEFAULT_CARD_MODEL } from './models/CardReader.js';
export { WheelReader, WHEEL_READER_INPUT } from './models/WheelReader.js';
export { ModelLoadError, type Reading } from './models/OnnxClassifier.js';
export {
  CalibrationError,
  calibrationProblems,
  type GameKind,
  loadCalibrationFile,
  parseCalibration,
  type RegionName,
  simulatedCalibrationPath,
  type TableCalibration,
  TableCalibrationSchema,
} from './live/Calibration.js';
export { cropRegions, type FramePixels, type Region, type RegionCrop, regionsOf } from './live/Regions.js';
export {
  loadVisionConfig,
  type VisionConfig,
  VisionConfigError,
  VisionEnvSchema,
  type VisionTable,
} from './live/config.js';
export { VisionWorker, type VisionWorkerOptions } from './live/VisionWorker.js';
