import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnvConfig, readEnv, renderEnvExample } from '../src/envConfig.js';

const Schema = Type.Object({
  PORT: Type.Integer({ description: 'Where it listens.', minimum: 0, maximum: 65535, default: 8080 }),
  API_SECRET: Type.String({ minLength: 16 }),
  MODE: Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a' }),
  EXTRA: Type.Optional(Type.String({ description: 'Two\nlines.' })),
  TABLES: Type.String({ examples: ['[]'] }),
});

describe('loadEnvConfig', () => {
  it('applies defaults and converts strings; empty strings count as unset', () => {
    expect(loadEnvConfig(Schema, 'svc', { PORT: '9000', API_SECRET: 'x'.repeat(16), TABLES: '[]', EXTRA: '' })).toEqual(
      {
        PORT: 9000,
        API_SECRET: 'x'.repeat(16),
        MODE: 'a',
        TABLES: '[]',
      },
    );
  });

  it('names every bad or missing variable in one error, never echoing a secret', () => {
    let error: unknown;
    try {
      loadEnvConfig(Schema, 'svc', { PORT: 'eighty', API_SECRET: 'short-secret', MODE: 'c' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid svc configuration:\n/);
    for (const name of ['PORT', 'API_SECRET', 'MODE', 'TABLES']) expect(message).toContain(`  ${name}: `);
    expect(message).toContain('"eighty"');
    expect(message).not.toContain('short-secret');
    expect(readEnv(Schema, {}).problems.length).toBeGreaterThanOrEqual(2);
  });
});

describe('renderEnvExample', () => {
  it('writes each setting with its description and default, example or blank', () => {
    expect(renderEnvExample(Schema, ['Header.'], { MODE: null })).toBe(
      [
        '# Header.',
        '',
        '# Where it listens.',
        'PORT=8080',
        '',
        'API_SECRET=',
        '',
        '#MODE=',
        '',
        '# Two',
        '# lines.',
        '#EXTRA=',
        '',
        'TABLES=[]',
        '',
      ].join('\n'),
    );
  });
});
