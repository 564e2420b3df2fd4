/**
 * Writes each service's `.env.example` from the schema its configuration is checked against, so
 * the examples cannot drift from the code: `npm run env:example` (or `-- --check`: exit 1 when a
 * committed file is stale, as scripts/test/envExample.test.ts checks).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderEnvExample } from '@live-casino/server-kit';
import { ConfigSchema as SfuEnvSchema } from '@live-casino/sfu/config';
import { SimulatorEnvSchema } from '@live-casino/studio/publisher/config';
import { ConfigSchema as TableServiceEnvSchema } from '@live-casino/table-service/config';
import { VisionEnvSchema } from '@live-casino/vision/config';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = 'Generated from the schema in src by `npm run env:example`: edit the schema, not this file.';

export const ENV_EXAMPLES: readonly { file: string; text: string }[] = [
  {
    file: 'sfu/.env.example',
    text: renderEnvExample(
      SfuEnvSchema,
      ['The sfu (node sfu/dist/main.js).', GENERATED, 'Defaults shown; see sfu/src/config.ts.'],
      {
        // One worker per core of the machine it runs on.
        SFU_WORKERS: null,
      },
    ),
  },
  {
    file: 'table-service/.env.example',
    text: renderEnvExample(TableServiceEnvSchema, [
      'table-service (node table-service/dist/main.js).',
      GENERATED,
      'Defaults shown; see table-service/src/config.ts.',
    ]),
  },
  {
    file: 'vision/.env.example',
    text: renderEnvExample(VisionEnvSchema, [
      'The vision worker (node vision/dist/live/main.js, or npm run vision:live from source).',
      GENERATED,
    ]),
  },
  {
    file: 'studio/.env.example',
    text: renderEnvExample(SimulatorEnvSchema, [
      'The studio simulator (node studio/dist/publisher/main.js).',
      GENERATED,
    ]),
  },
];

/** The examples whose committed file differs from what the schema gives. */
export async function staleEnvExamples(): Promise<string[]> {
  const stale: string[] = [];
  for (const { file, text } of ENV_EXAMPLES) {
    const committed = await readFile(path.join(REPO_ROOT, file), 'utf8').catch(() => '');
    if (committed !== text) stale.push(file);
  }
  return stale;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = await staleEnvExamples();
    if (stale.length > 0) {
      console.error(`stale (run npm run env:example): ${stale.join(', ')}`);
      process.exit(1);
    }
  } else {
    for (const { file, text } of ENV_EXAMPLES) await writeFile(path.join(REPO_ROOT, file), text);
    console.log(`wrote ${ENV_EXAMPLES.map((e) => e.file).join(', ')}`);
  }
}
