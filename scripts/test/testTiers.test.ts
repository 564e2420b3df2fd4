import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What marks a test as needing a service (vitest.config.ts: the tiers): a real PostgreSQL, Redis,
 * mediasoup or ffmpeg, or the platform's processes. Read from the test file itself, with the
 * helpers that start them.
 */
const NEEDS_A_SERVICE: [RegExp, string][] = [
  [/startTestPostgres|helpers\/db\.js|helpers\/service\.js/, 'PostgreSQL'],
  [/redisForSuite|from 'ioredis'/, 'Redis'],
  [/startTestSfu|from '\.\/helpers\.js'|from 'mediasoup'|Sfu\.create/, 'mediasoup'],
  [/'ffmpeg'|decodeVp8|Vp8Encoder\.create|TableFeed\.create/, 'ffmpeg'],
  [/startLiveRig|@live-casino\/testing\/platform'/, 'the platform'],
];

it('every test file is in exactly one tier, and none that starts a service is a unit test', () => {
  const r = spawnSync('npx', ['vitest', 'list', '--filesOnly', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const listed = JSON.parse(r.stdout) as { file: string; projectName: string }[];
  const tiers = new Map<string, string[]>();
  for (const { file, projectName } of listed) {
    const rel = path.relative(REPO_ROOT, file);
    tiers.set(rel, [...(tiers.get(rel) ?? []), projectName]);
  }
  expect([...tiers.values()].filter((t) => t.length !== 1)).toEqual([]);
  const tierNames = new Set([...tiers.values()].flat());
  expect([...tierNames].sort()).toEqual(['acceptance', 'integration', 'unit']);

  const misplaced: string[] = [];
  for (const [file, [tier]] of tiers) {
    // This file names the markers; it starts nothing.
    if (tier !== 'unit' || file === 'scripts/test/testTiers.test.ts') continue;
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    for (const [marker, service] of NEEDS_A_SERVICE) {
      if (marker.test(text)) misplaced.push(`${file} (${service})`);
    }
  }
  expect(misplaced).toEqual([]);
});
