import { mkdirSync, writeFileSync } from 'node:fs';
import { DEFAULT_CALIBRATION_DIR, simulatedCalibrationPath } from '../live/Calibration.js';
import { simulatedCalibrationJson } from './simulatedCalibration.js';

/** Writes vision/calibration/simulated-{roulette,baccarat}.json from the simulator's geometry. */
mkdirSync(DEFAULT_CALIBRATION_DIR, { recursive: true });
for (const game of ['roulette', 'baccarat'] as const) {
  writeFileSync(simulatedCalibrationPath(game), simulatedCalibrationJson(game));
  console.log(`wrote ${simulatedCalibrationPath(game)}`);
}
