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
