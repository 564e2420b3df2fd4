import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GameKind } from './Regions.js';

/** A missing or bad setting: names the variable and what it accepts. The worker does not start. */
export class VisionConfigError extends Error {
  override readonly name = 'VisionConfigError';
  readonly code = 'VISION_CONFIG_INVALID';
}

export interface VisionTable {
  readonly tableId: string;
  readonly game: GameKind;
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

/**
 * Reads the worker's configuration from the environment (see the README's vision section and
 * vision/.env.example). Every problem is reported at once, each naming its variable.
 */
export function loadVisionConfig(env: NodeJS.ProcessEnv = process.env): VisionConfig {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string => {
    const v = env[name]?.trim();
    if (v) return v;
    if (fallback !== undefined) return fallback;
    problems.push(`${name} is required`);
    return '';
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const v = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
      problems.push(`${name} must be an integer in ${min}..${max} (got "${raw}")`);
      return fallback;
    }
    return v;
  };
  const url = (name: string, fallback: string): string => {
    const v = str(name, fallback);
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    } catch {
      problems.push(`${name} must be an http(s) URL (got "${v}")`);
    }
    return v.replace(/\/+$/, '');
  };

  const tables = parseTables(env.VISION_TABLES, problems);
  const tableServiceUrl = url('TABLE_SERVICE_URL', 'http://127.0.0.1:8080');
  const sfuUrl = url('SFU_URL', 'http://127.0.0.1:4443');
  const serviceId = str('VISION_SERVICE_ID', 'vision');
  let serviceSecret = str('VISION_SERVICE_SECRET');
  // A secret given as an absolute path is read from that file (how the platform passes it).
  if (serviceSecret.startsWith('/')) {
    try {
      serviceSecret = readFileSync(serviceSecret, 'utf8').trim();
    } catch (err) {
      problems.push(`VISION_SERVICE_SECRET: cannot read ${serviceSecret} (${(err as Error).message})`);
    }
  }
  const readFps = int('VISION_READ_FPS', DEFAULT_READ_FPS, 1, 30);
  const both = int('VISION_STABLE_READS', 0, 1, 30);
  const stableReads = {
    roulette: int('VISION_STABLE_READS_ROULETTE', both || DEFAULT_STABLE_READS.roulette, 1, 30),
    baccarat: int('VISION_STABLE_READS_BACCARAT', both || DEFAULT_STABLE_READS.baccarat, 1, 30),
  };
  const cardModelPath = path.resolve(str('VISION_CARD_MODEL', path.join(DEFAULT_MODELS_DIR, 'cards.onnx')));
  const wheelModelPath = path.resolve(str('VISION_WHEEL_MODEL', path.join(DEFAULT_MODELS_DIR, 'wheel.onnx')));
  const inferenceThreads = int('VISION_INFERENCE_THREADS', 1, 1, 16);
  const modelRetryMs = int('VISION_MODEL_RETRY_MS', 2_000, 100, 600_000);
  const host = str('VISION_HOST', '127.0.0.1');
  const port = int('VISION_PORT', 8090, 0, 65_535);
  const stallMs = int('VISION_STALL_MS', 2_000, 200, 60_000);

  if (problems.length > 0) {
    throw new VisionConfigError(`invalid vision configuration:\n  ${problems.join('\n  ')}`);
  }
  return {
    tables,
    tableServiceUrl,
    sfuUrl,
    serviceId,
    serviceSecret,
    readFps,
    stableReads,
    cardModelPath,
    wheelModelPath,
    inferenceThreads,
    modelRetryMs,
    host,
    port,
    stallMs,
  };
}

/** VISION_TABLES: JSON `[{ "tableId": "roulette-1", "game": "roulette" }, ...]` (the platform's TABLES works too). */
function parseTables(raw: string | undefined, problems: string[]): VisionTable[] {
  if (!raw?.trim()) {
    problems.push('VISION_TABLES is required: JSON [{ "tableId": "...", "game": "roulette" | "baccarat" }, ...]');
    return [];
  }
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
    const t = entry as { tableId?: unknown; game?: unknown } | null;
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
    tables.push({ tableId: t.tableId, game: t.game });
  });
  return tables;
}
