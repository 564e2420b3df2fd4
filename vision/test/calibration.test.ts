/**
 * Per-table calibration: the simulated tables' files are what the simulator's geometry gives, a
 * camera table is configured by a file or inline, and every bad calibration is refused with the
 * reason (the worker does not start). The perspective test is in liveRegions.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulatedCalibration } from '../src/dataset/simulatedCalibration.js';
import { apply, unitSquareTo } from '../src/image/ImageOps.js';
import {
  CalibrationError,
  calibrationProblems,
  loadCalibrationFile,
  simulatedCalibrationPath,
  type TableCalibration,
} from '../src/live/Calibration.js';
import { loadVisionConfig, VisionConfigError } from '../src/live/config.js';
import { regionsOf } from '../src/live/Regions.js';

const wheel = (corners: unknown): unknown => ({ version: 1, game: 'roulette', regions: { wheel: { corners } } });
const SQUARE = [
  [0.1, 0.2],
  [0.4, 0.2],
  [0.4, 0.8],
  [0.1, 0.8],
];

function configError(tables: unknown): string {
  try {
    loadVisionConfig({ VISION_TABLES: JSON.stringify(tables), VISION_SERVICE_SECRET: 's' });
  } catch (err) {
    expect(err).toBeInstanceOf(VisionConfigError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('calibration', () => {
  it('the committed simulated calibrations are the simulator geometry (npm run calibration:simulated -w vision)', () => {
    for (const game of ['roulette', 'baccarat'] as const) {
      const committed: unknown = JSON.parse(readFileSync(simulatedCalibrationPath(game), 'utf8'));
      expect(committed, game).toEqual(simulatedCalibration(game));
      expect(calibrationProblems(committed, game)).toEqual([]);
    }
  });

  it('maps the unit square onto any convex quad, perspective included', () => {
    const quad = [
      [10, 20],
      [110, 30],
      [120, 150],
      [0, 130],
    ] as const;
    const h = unitSquareTo(quad);
    const corners = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ] as const;
    corners.forEach(([u, v], i) => {
      const [x, y] = apply(h, u, v);
      expect(x).toBeCloseTo(quad[i]?.[0] as number, 9);
      expect(y).toBeCloseTo(quad[i]?.[1] as number, 9);
    });
    // A crop's pixel corners land on the region's corners, as fractions of the frame.
    const [region] = regionsOf(wheel(SQUARE) as TableCalibration);
    expect(apply(region?.toFrame ?? unitSquareTo(quad), 128, 128).map((v) => +v.toFixed(9))).toEqual([0.4, 0.8]);
  });

  it('refuses every kind of bad calibration, naming the place', () => {
    const cases: [unknown, RegExp][] = [
      ['not an object', /\/: Expected object/],
      [{ ...(wheel(SQUARE) as object), version: 2 }, /\/version/],
      [wheel([SQUARE[0], SQUARE[1], SQUARE[2]]), /\/regions\/wheel\/corners/],
      [
        wheel([
          [0.1, 0.2],
          [0.4, 0.2],
          [0.4, 0.8],
          [0.1, 'x'],
        ]),
        /\/regions\/wheel\/corners\/3\/1/,
      ],
      [
        wheel([
          [0.1, 0.2],
          [9, 0.2],
          [0.4, 0.8],
          [0.1, 0.8],
        ]),
        /\/regions\/wheel\/corners\/1\/0/,
      ],
      // Counter-clockwise on screen: a mirrored picture.
      [wheel([SQUARE[1], SQUARE[0], SQUARE[3], SQUARE[2]]), /convex quad, top-left, top-right/],
      // Twisted (a bow tie).
      [wheel([SQUARE[0], SQUARE[1], SQUARE[3], SQUARE[2]]), /convex quad/],
      [
        wheel([
          [0.1, 0.1],
          [0.105, 0.1],
          [0.105, 0.105],
          [0.1, 0.105],
        ]),
        /too small to read/,
      ],
      [{ version: 1, game: 'roulette', regions: {} }, /\/regions\/wheel: missing/],
      [
        { version: 1, game: 'roulette', regions: { wheel: { corners: SQUARE }, P1: { corners: SQUARE } } },
        /\/regions\/P1: not a region of roulette/,
      ],
      [{ ...(wheel(SQUARE) as object), game: 'baccarat' }, /\/game: is baccarat, the table plays roulette/],
      [{ ...(wheel(SQUARE) as object), extra: 1 }, /Unexpected property/],
    ];
    for (const [value, problem] of cases) {
      const problems = calibrationProblems(value, 'roulette');
      expect(problems.join('; '), JSON.stringify(value)).toMatch(problem);
    }
    expect(calibrationProblems(wheel(SQUARE), 'roulette')).toEqual([]);
  });

  it('a camera table names its calibration file or gives it inline; a table without one is read as simulated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calibration-'));
    const file = join(dir, 'camera-roulette.json');
    writeFileSync(file, JSON.stringify(wheel(SQUARE)));
    const c = loadVisionConfig({
      VISION_TABLES: JSON.stringify([
        { tableId: 'camera-1', game: 'roulette', calibration: file },
        { tableId: 'camera-2', game: 'roulette', calibration: wheel(SQUARE) },
        { tableId: 'sim-1', game: 'baccarat' },
      ]),
      VISION_SERVICE_SECRET: 's',
    });
    expect(c.tables.map((t) => t.calibrationSource)).toEqual([file, 'inline', simulatedCalibrationPath('baccarat')]);
    expect(c.tables[0]?.calibration.regions.wheel?.corners).toEqual(SQUARE);
    expect(c.tables[1]?.calibration).toEqual(c.tables[0]?.calibration);
    expect(c.tables[2]?.calibration).toEqual(simulatedCalibration('baccarat'));
  });

  it('a bad calibration stops the worker with every problem named, per table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calibration-'));
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{ "version": 1,');
    const message = configError([
      { tableId: 'a', game: 'roulette', calibration: join(dir, 'missing.json') },
      { tableId: 'b', game: 'roulette', calibration: notJson },
      { tableId: 'c', game: 'baccarat', calibration: wheel(SQUARE) },
      { tableId: 'd', game: 'roulette', calibration: 42 },
    ]);
    expect(message).toMatch(/VISION_TABLES\/0\/calibration: calibration \S+missing\.json: cannot be read \(ENOENT\)/);
    expect(message).toMatch(/VISION_TABLES\/1\/calibration: calibration \S+broken\.json: is not JSON/);
    expect(message).toMatch(
      /VISION_TABLES\/2\/calibration: calibration inline: \/game: is roulette, the table plays baccarat/,
    );
    expect(message).toMatch(/\/regions\/P1: missing/);
    expect(message).toMatch(/VISION_TABLES\/3\/calibration must be a calibration file's path or a calibration object/);
  });

  it('loadCalibrationFile throws a typed error', () => {
    expect(() => loadCalibrationFile('/nonexistent/cal.json', 'roulette')).toThrow(CalibrationError);
    try {
      loadCalibrationFile('/nonexistent/cal.json', 'roulette');
    } catch (err) {
      expect((err as CalibrationError).code).toBe('VISION_CALIBRATION_INVALID');
    }
  });
});
