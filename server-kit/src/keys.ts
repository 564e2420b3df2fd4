import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * A PEM key given inline (with real or `\n`-escaped newlines, as env files and CI secrets carry
 * it) or as the path of a file holding it. `variable` names the setting in the error.
 */
export async function readPem(keyOrPath: string, variable: string): Promise<string> {
  if (keyOrPath.includes('-----BEGIN')) return keyOrPath.replace(/\\n/g, '\n');
  try {
    return await readFile(keyOrPath, 'utf8');
  } catch {
    throw new Error(`${variable}: cannot read key file ${keyOrPath}`);
  }
}

/**
 * A secret given inline, or as an absolute path to a file holding it (how the platform passes
 * secrets). A file that cannot be read is added to `problems`, naming `variable`.
 */
export function readSecretSetting(value: string, variable: string, problems: string[]): string {
  if (!value.startsWith('/')) return value;
  try {
    return readFileSync(value, 'utf8').trim();
  } catch (err) {
    problems.push(`${variable}: cannot read ${value} (${(err as Error).message})`);
    return value;
  }
}
