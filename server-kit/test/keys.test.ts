import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPem, readSecretSetting } from '../src/keys.js';

const PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n';

describe('readPem', () => {
  it('takes an inline PEM, with escaped newlines turned into real ones', async () => {
    expect(await readPem(PEM, 'K')).toBe(PEM);
    expect(await readPem(PEM.replace(/\n/g, '\\n'), 'K')).toBe(PEM);
  });

  it('reads a path, and names the variable when the file cannot be read', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kit-keys-')), 'key.pem');
    writeFileSync(file, PEM);
    expect(await readPem(file, 'K')).toBe(PEM);
    await expect(readPem(`${file}.missing`, 'STREAM_TOKEN_PUBLIC_KEY')).rejects.toThrow(
      `STREAM_TOKEN_PUBLIC_KEY: cannot read key file ${file}.missing`,
    );
  });
});

describe('readSecretSetting', () => {
  it('takes an inline secret, reads an absolute path, and names the variable when it cannot', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kit-secret-')), 'secret');
    writeFileSync(file, 's3cret\n');
    const problems: string[] = [];
    expect(readSecretSetting('inline', 'S', problems)).toBe('inline');
    expect(readSecretSetting(file, 'S', problems)).toBe('s3cret');
    expect(problems).toEqual([]);
    readSecretSetting(`${file}.missing`, 'STUDIO_SERVICE_SECRET', problems);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^STUDIO_SERVICE_SECRET: cannot read /);
  });
});
