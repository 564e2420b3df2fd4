import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulatedCalibrationPath } from '../src/live/Calibration.js';
import { DEFAULT_READ_FPS, DEFAULT_STABLE_READS, loadVisionConfig, VisionConfigError } from '../src/live/config.js';

const TABLES = JSON.stringify([
  { tableId: 'roulette-1', game: 'roulette', name: 'ignored' },
  { tableId: 'baccarat-1', game: 'baccarat' },
]);

describe('loadVisionConfig', () => {
  it('takes the tables and a secret, with defaults for the rest', () => {
    const c = loadVisionConfig({ VISION_TABLES: TABLES, VISION_SERVICE_SECRET: 'abc' });
    expect(c.tables.map(({ tableId, game, calibrationSource }) => [tableId, game, calibrationSource])).toEqual([
      ['roulette-1', 'roulette', simulatedCalibrationPath('roulette')],
      ['baccarat-1', 'baccarat', simulatedCalibrationPath('baccarat')],
    ]);
    expect(c).toMatchObject({
      serviceId: 'vision',
      serviceSecret: 'abc',
      readFps: DEFAULT_READ_FPS,
      stableReads: DEFAULT_STABLE_READS,
      tableServiceUrl: 'http://127.0.0.1:8080',
      // /health and /metrics are for operators: loopback unless VISION_HOST says otherwise.
      host: '127.0.0.1',
      port: 8090,
    });
    expect(c.cardModelPath).toMatch(/vision\/models\/cards\.onnx$/);
  });

  it('reads the secret from a file given by absolute path, and takes per-game stable reads', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vision-cfg-')), 'secret');
    writeFileSync(file, 's3cret\n');
    const c = loadVisionConfig({
      VISION_TABLES: TABLES,
      VISION_SERVICE_SECRET: file,
      VISION_STABLE_READS: '4',
      VISION_STABLE_READS_BACCARAT: '2',
    });
    expect(c.serviceSecret).toBe('s3cret');
    expect(c.stableReads).toEqual({ roulette: 4, baccarat: 2 });
  });

  it('refuses bad settings with one typed error naming each variable', () => {
    const attempt = () =>
      loadVisionConfig({
        VISION_TABLES: JSON.stringify([
          { tableId: 'Bad Id', game: 'roulette' },
          { tableId: 'x', game: 'poker' },
        ]),
        VISION_READ_FPS: '0',
        VISION_STABLE_READS_ROULETTE: 'three',
        TABLE_SERVICE_URL: 'ftp://host',
        VISION_SERVICE_SECRET: '/nonexistent/secret',
      });
    expect(attempt).toThrow(VisionConfigError);
    let message = '';
    try {
      attempt();
    } catch (err) {
      message = (err as Error).message;
      expect((err as VisionConfigError).code).toBe('VISION_CONFIG_INVALID');
    }
    for (const name of [
      'VISION_TABLES/0/tableId',
      'VISION_TABLES/1/game',
      'VISION_READ_FPS',
      'VISION_STABLE_READS_ROULETTE',
      'TABLE_SERVICE_URL',
      'VISION_SERVICE_SECRET',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('requires the tables and the secret', () => {
    expect(() => loadVisionConfig({})).toThrow(
      /VISION_TABLES: Expected required property[\s\S]*VISION_SERVICE_SECRET: Expected required/,
    );
    for (const tables of [
      'not json',
      '[]',
      '{}',
      JSON.stringify([
        { tableId: 'a', game: 'roulette' },
        { tableId: 'a', game: 'roulette' },
      ]),
    ]) {
      expect(() => loadVisionConfig({ VISION_TABLES: tables, VISION_SERVICE_SECRET: 's' }), tables).toThrow(
        VisionConfigError,
      );
    }
  });
});
