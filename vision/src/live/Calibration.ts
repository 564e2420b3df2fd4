import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CARD_POSITIONS, type CardPosition } from '@live-casino/protocol/games/baccarat';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { type Point, unitSquareTo } from '../image/ImageOps.js';

export type GameKind = 'roulette' | 'baccarat';
export type RegionName = 'wheel' | CardPosition;

/**
 * A table's camera calibration: where, in that table's picture, each region the reader reads lies.
 * A region is the quad of the frame its crop is cut from, as fractions of the frame's width and
 * height (so one calibration serves every simulcast layer and the HLS rendition), corners in the
 * order top-left, top-right, bottom-right, bottom-left of the crop as the model wants it upright.
 * A camera looking at the table at an angle gives a trapezoid: the crop is cut with the homography,
 * so the reader sees the card or the wheel as from above.
 *
 * What a crop must show: for a card position, the dealt card upright and about three quarters of
 * the crop's height, centred; for the wheel, the rotor out to its number ring with a margin, the
 * ball track just outside. `npm run calibration:check -w vision` writes the crops of a still so
 * that an operator sees what the reader will see. The simulated tables' calibrations are in
 * vision/calibration/, made from the simulator's geometry (vision/src/dataset/simulatedCalibration.ts).
 */
const Fraction = Type.Number({ minimum: -0.5, maximum: 1.5 });
const Corner = Type.Tuple([Fraction, Fraction]);
export const RegionQuadSchema = Type.Object(
  { corners: Type.Tuple([Corner, Corner, Corner, Corner]) },
  { additionalProperties: false },
);
export const TableCalibrationSchema = Type.Object(
  {
    version: Type.Literal(1),
    game: Type.Union([Type.Literal('roulette'), Type.Literal('baccarat')]),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    regions: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,31}$' }), RegionQuadSchema),
  },
  { additionalProperties: false },
);
export type TableCalibration = Static<typeof TableCalibrationSchema>;
export type RegionQuad = Static<typeof RegionQuadSchema>;

/** The regions each game's calibration names, in the order the reader reads them. */
export const REGION_NAMES: Readonly<Record<GameKind, readonly RegionName[]>> = {
  roulette: ['wheel'],
  baccarat: CARD_POSITIONS,
};

/** vision/calibration, next to src/ and dist/. */
export const DEFAULT_CALIBRATION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../calibration');

/** The calibration of the platform's simulated tables of a game (the default when a table names none). */
export function simulatedCalibrationPath(game: GameKind): string {
  return path.join(DEFAULT_CALIBRATION_DIR, `simulated-${game}.json`);
}

/** A calibration that cannot be used: every problem, each with its JSON path. Nothing is read with it. */
export class CalibrationError extends Error {
  override readonly name = 'CalibrationError';
  readonly code = 'VISION_CALIBRATION_INVALID';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`calibration ${source}: ${problems.join('; ')}`);
  }
}

/** Smallest quad, as a fraction of the frame's area: anything smaller cannot hold a legible crop. */
const MIN_QUAD_AREA = 1e-4;

/**
 * The problems of a calibration for `game` (none: it is usable): the schema, the game, exactly the
 * game's regions, and quads that are convex, turn clockwise from the top-left (a mirrored or
 * twisted quad would feed the model a mirrored card) and are not vanishingly small.
 */
export function calibrationProblems(value: unknown, game: GameKind): string[] {
  if (!Value.Check(TableCalibrationSchema, value)) {
    return [...Value.Errors(TableCalibrationSchema, value)].slice(0, 8).map((e) => `${e.path || '/'}: ${e.message}`);
  }
  const problems: string[] = [];
  if (value.game !== game) problems.push(`/game: is ${value.game}, the table plays ${game}`);
  const wanted = REGION_NAMES[game];
  for (const name of wanted) if (!(name in value.regions)) problems.push(`/regions/${name}: missing`);
  for (const [name, quad] of Object.entries(value.regions)) {
    if (!(wanted as readonly string[]).includes(name)) {
      problems.push(`/regions/${name}: not a region of ${game} (${wanted.join(', ')})`);
      continue;
    }
    const shape = quadProblem(quad.corners);
    if (shape) problems.push(`/regions/${name}/corners: ${shape}`);
  }
  return problems;
}

function quadProblem(corners: readonly Point[]): string | null {
  // In image coordinates (y down), top-left -> top-right -> bottom-right -> bottom-left turns clockwise:
  // every cross product of consecutive edges is positive.
  let area = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = corners[i] as Point;
    const [bx, by] = corners[(i + 1) % 4] as Point;
    const [cx, cy] = corners[(i + 2) % 4] as Point;
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (!(cross > 0)) {
      return 'must be a convex quad, top-left, top-right, bottom-right, bottom-left (clockwise on screen)';
    }
    area += ax * by - bx * ay;
  }
  return area / 2 < MIN_QUAD_AREA ? `covers ${(area / 2).toExponential(1)} of the frame, too small to read` : null;
}

/** Checks a calibration for `game`; throws CalibrationError naming every problem. */
export function parseCalibration(value: unknown, game: GameKind, source: string): TableCalibration {
  const problems = calibrationProblems(value, game);
  if (problems.length > 0) throw new CalibrationError(source, problems);
  return value as TableCalibration;
}

/** Reads and checks a calibration file; a missing or non-JSON file is a CalibrationError too. */
export function loadCalibrationFile(file: string, game: GameKind): TableCalibration {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CalibrationError(file, [`cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new CalibrationError(file, ['is not JSON']);
  }
  return parseCalibration(value, game, file);
}

/** The homography taking a `width` x `height` crop's pixel coordinates to frame fractions. */
export function cropToFrame(quad: RegionQuad, width: number, height: number): ReturnType<typeof unitSquareTo> {
  const m = unitSquareTo(quad.corners);
  // (u, v) in crop pixels -> (u / width, v / height) in the unit square -> the quad.
  return [m[0] / width, m[1] / height, m[2], m[3] / width, m[4] / height, m[5], m[6] / width, m[7] / height, m[8]];
}
