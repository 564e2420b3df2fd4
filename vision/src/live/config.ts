import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, configErrorMessage, readEnv, readSecretSetting } from '@live-casino/server-kit';
import { Type } from '@sinclair/typebox';
import {
  CalibrationError,
  type GameKind,
  loadCalibrationFile,
  parseCalibration,
  simulatedCalibrationPath,
  type TableCalibration,
} from './Calibration.js';

/** A missing or bad setting: names the variable and what it accepts. The worker does not start. */
export class VisionConfigError extends ConfigError {
  override name = 'VisionConfigError';
  readonly code = 'VISION_CONFIG_INVALID';
}

export interface VisionTable {
  readonly tableId: string;
  readonly game: GameKind;
  /** Where the table's regions lie in its picture (vision/src/live/Calibration.ts). */
  readonly calibration: TableCalibration;
  /** The file it came from, `inline`, or the simulated table's default file. */
  readonly calibrationSource: string;
}

export interface VisionConfig {
  readonly tables: readonly VisionTable[];
  readonly tableServiceUrl: string;
  readonly sfuUrl: string;
  readonly serviceId: string;
  readonly serviceSecret: string;
  /** Frames read per second and table. */
  readonly readFps: number;
  /** Consecutive equal reads before a reading is sent, per game. */
  readonly stableReads: Readonly<Record<GameKind, number>>;
  readonly cardModelPath: string;
  readonly wheelModelPath: string;
  readonly inferenceThreads: number;
  readonly modelRetryMs: number;
  /** Health and metrics endpoint; port 0 picks a free one. */
  readonly host: string;
  readonly port: number;
  /** A feed with no frame for this long is reported stalled (and the reader forgets its state). */
  readonly stallMs: number;
}

export const DEFAULT_READ_FPS = 15;

/**
 * At 15 reads a second. Roulette: the ball creeps through its last pockets while it slows, and lies
 * over the one before its final pocket for ~240 ms (RouletteScene's linear slow-down): 5 reads
 * (267 ms) never settle on it, while the final pocket shows ~330 ms before the ball stops, so the
 * reading is stable about when the ball stops. Baccarat: a card is still once face up, so 3 reads
 * (133 ms) suffice and keep the reading well inside 500 ms of the card landing.
 */
export const DEFAULT_STABLE_READS: Readonly<Record<GameKind, number>> = { roulette: 5, baccarat: 3 };

/** vision/models, next to src/ and dist/. */
export const DEFAULT_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');

/** As protocol TableId. */
const TABLE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const HTTP_URL = '^https?://[^\\s/]+';
const reads = (description: string) => Type.Optional(Type.Integer({ description, minimum: 1, maximum: 30 }));

/** The vision worker's environment (vision/.env.example is generated from it: npm run env:example). */
export const VisionEnvSchema = Type.Object({
  VISION_TABLES: Type.String({
    description:
      'Tables to read (required): JSON [{ "tableId": "...", "game": "roulette" | "baccarat", "calibration"?: FILE | {...} }] (the platform\'s TABLES works too). A table without a calibration is read where the simulated tables have their regions (vision/calibration/simulated-GAME.json); a camera table names its own file (relative to the working directory) or gives it inline.',
    minLength: 1,
    examples: ['[{"tableId":"roulette-1","game":"roulette"},{"tableId":"baccarat-1","game":"baccarat"}]'],
  }),
  TABLE_SERVICE_URL: Type.String({
    description: 'table-service (readings, service login).',
    pattern: HTTP_URL,
    default: 'http://127.0.0.1:8080',
  }),
  SFU_URL: Type.String({ description: 'The sfu (video egress).', pattern: HTTP_URL, default: 'http://127.0.0.1:4443' }),
  VISION_SERVICE_ID: Type.String({
    description: 'The service account in table-service\'s STAFF_ACCOUNTS ({ id, role: "service", secretHash }).',
    minLength: 1,
    default: 'vision',
  }),
  VISION_SERVICE_SECRET: Type.String({
    description: 'The secret, or an absolute path to a file holding it (required).',
    minLength: 1,
    examples: ['/path/to/.data/keys/vision-service.secret'],
  }),
  VISION_READ_FPS: Type.Integer({
    description: 'Frames read per second and table.',
    minimum: 1,
    maximum: 30,
    default: DEFAULT_READ_FPS,
  }),
  VISION_STABLE_READS: reads('Equal reads in a row before a reading is sent, for every game (else per game, below).'),
  VISION_STABLE_READS_ROULETTE: reads(`Roulette's (default ${DEFAULT_STABLE_READS.roulette}; see config.ts).`),
  VISION_STABLE_READS_BACCARAT: reads(`Baccarat's (default ${DEFAULT_STABLE_READS.baccarat}).`),
  VISION_CARD_MODEL: Type.Optional(
    Type.String({ description: 'Card model file (models.json beside it); default vision/models/cards.onnx.' }),
  ),
  VISION_WHEEL_MODEL: Type.Optional(
    Type.String({ description: 'Wheel model file (models.json beside it); default vision/models/wheel.onnx.' }),
  ),
  VISION_MODEL_RETRY_MS: Type.Integer({
    description: 'Delay between attempts to load a missing or broken model file.',
    minimum: 100,
    maximum: 600_000,
    default: 2_000,
  }),
  VISION_INFERENCE_THREADS: Type.Integer({
    description: 'Inference threads shared by all tables.',
    minimum: 1,
    maximum: 16,
    default: 1,
  }),
  VISION_STALL_MS: Type.Integer({
    description: 'A feed with no frame for this long counts as stalled.',
    minimum: 200,
    maximum: 60_000,
    default: 2_000,
  }),
  VISION_HOST: Type.String({
    description:
      'Health (GET /health, JSON; 503 while a table is not being read) and Prometheus metrics (GET /metrics).',
    default: '127.0.0.1',
  }),
  VISION_PORT: Type.Integer({ minimum: 0, maximum: 65_535, default: 8090 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
});

/**
 * Reads the worker's configuration from the environment (see the README's vision section and
 * vision/.env.example). Every problem is reported at once, each naming its variable.
 */
export function loadVisionConfig(env: NodeJS.ProcessEnv = process.env): VisionConfig {
  const trimmed = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v?.trim()]));
  const { config: c, problems } = readEnv(VisionEnvSchema, trimmed);
  const tables = c.VISION_TABLES ? parseTables(c.VISION_TABLES, problems) : [];
  const serviceSecret = c.VISION_SERVICE_SECRET
    ? readSecretSetting(c.VISION_SERVICE_SECRET, 'VISION_SERVICE_SECRET', problems)
    : '';
  if (problems.length > 0) throw new VisionConfigError(configErrorMessage('vision', problems));
  const both = c.VISION_STABLE_READS;
  return {
    tables,
    tableServiceUrl: c.TABLE_SERVICE_URL.replace(/\/+$/, ''),
    sfuUrl: c.SFU_URL.replace(/\/+$/, ''),
    serviceId: c.VISION_SERVICE_ID,
    serviceSecret,
    readFps: c.VISION_READ_FPS,
    stableReads: {
      roulette: c.VISION_STABLE_READS_ROULETTE ?? both ?? DEFAULT_STABLE_READS.roulette,
      baccarat: c.VISION_STABLE_READS_BACCARAT ?? both ?? DEFAULT_STABLE_READS.baccarat,
    },
    cardModelPath: path.resolve(c.VISION_CARD_MODEL ?? path.join(DEFAULT_MODELS_DIR, 'cards.onnx')),
    wheelModelPath: path.resolve(c.VISION_WHEEL_MODEL ?? path.join(DEFAULT_MODELS_DIR, 'wheel.onnx')),
    inferenceThreads: c.VISION_INFERENCE_THREADS,
    modelRetryMs: c.VISION_MODEL_RETRY_MS,
    host: c.VISION_HOST,
    port: c.VISION_PORT,
    stallMs: c.VISION_STALL_MS,
  };
}

/**
 * VISION_TABLES: JSON `[{ "tableId": "roulette-1", "game": "roulette", "calibration": "studio-a/roulette-1.json" }, ...]`
 * (the platform's TABLES works too; extra fields are ignored). `calibration` is a file, an inline
 * calibration, or absent for the simulated table's.
 */
function parseTables(raw: string, problems: string[]): VisionTable[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push('VISION_TABLES is not JSON');
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 64) {
    problems.push('VISION_TABLES must be a JSON array of 1..64 tables');
    return [];
  }
  const tables: VisionTable[] = [];
  const seen = new Set<string>();
  parsed.forEach((entry: unknown, i) => {
    const t = entry as { tableId?: unknown; game?: unknown; calibration?: unknown } | null;
    if (typeof t?.tableId !== 'string' || !TABLE_ID.test(t.tableId)) {
      problems.push(`VISION_TABLES/${i}/tableId must match ${TABLE_ID}`);
      return;
    }
    if (t.game !== 'roulette' && t.game !== 'baccarat') {
      problems.push(`VISION_TABLES/${i}/game must be roulette or baccarat (got ${JSON.stringify(t.game)})`);
      return;
    }
    if (seen.has(t.tableId)) {
      problems.push(`VISION_TABLES/${i}/tableId: duplicate ${t.tableId}`);
      return;
    }
    seen.add(t.tableId);
    const calibrated = calibrationOf(t.calibration, t.game, `VISION_TABLES/${i}/calibration`, problems);
    if (calibrated) tables.push({ tableId: t.tableId, game: t.game, ...calibrated });
  });
  return tables;
}

function calibrationOf(
  value: unknown,
  game: GameKind,
  where: string,
  problems: string[],
): Pick<VisionTable, 'calibration' | 'calibrationSource'> | null {
  try {
    if (value === undefined) {
      const file = simulatedCalibrationPath(game);
      return { calibration: loadCalibrationFile(file, game), calibrationSource: file };
    }
    if (typeof value === 'string' && value.trim() !== '') {
      const file = path.resolve(value.trim());
      return { calibration: loadCalibrationFile(file, game), calibrationSource: file };
    }
    if (typeof value === 'object' && value !== null) {
      return { calibration: parseCalibration(value, game, 'inline'), calibrationSource: 'inline' };
    }
    problems.push(`${where} must be a calibration file's path or a calibration object`);
  } catch (err) {
    if (!(err instanceof CalibrationError)) throw err;
    problems.push(`${where}: ${err.message}`);
  }
  return null;
}
