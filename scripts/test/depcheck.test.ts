import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** `npm run depcheck` as CI runs it: its exit code and what it printed. */
function depcheck(): { status: number | null; output: string } {
  const r = spawnSync('npm', ['run', '--silent', 'depcheck'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Writes `files` (paths relative to the repository) for the length of `fn`, then removes them. */
function withFiles<T>(files: Record<string, string>, fn: () => T): T {
  const written: string[] = [];
  try {
    for (const [file, text] of Object.entries(files)) {
      const abs = path.join(REPO_ROOT, file);
      writeFileSync(abs, text, { flag: 'wx' });
      written.push(abs);
    }
    return fn();
  } finally {
    for (const abs of written) rmSync(abs, { force: true });
  }
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Unique names: a probe left behind by a killed run must not collide, and is easy to spot.
const probe = `depcheckProbe${process.pid}`;

describe('npm run depcheck (the boundaries CI enforces)', () => {
  it('passes on the repository as it is', () => {
    const r = depcheck();
    expect(r.output).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });

  it("fails on a workspace importing another workspace's source by path, naming the rule and the import", () => {
    const r = withFiles(
      {
        [`sfu/src/${probe}.ts`]: `import { TableService } from '../../table-service/src/TableService.js';\nexport const probe = TableService;\n`,
      },
      depcheck,
    );
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(
      `error no-path-into-another-workspace: sfu/src/${probe}.ts → table-service/src/TableService.ts`,
    );
  });

  it('passes the same import through the package name', () => {
    const r = withFiles(
      {
        [`sfu/src/${probe}.ts`]: `import { TableService } from '@live-casino/table-service';\nexport const probe = TableService;\n`,
      },
      depcheck,
    );
    expect(r.output).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });

  it('fails on a test reaching into root tooling by path, and on a cycle', () => {
    const r = withFiles(
      {
        [`sfu/test/${probe}A.ts`]: `import { b } from './${probe}B.js';\nimport '../../scripts/platform/main.js';\nexport const a = () => b;\n`,
        [`sfu/test/${probe}B.ts`]: `import { a } from './${probe}A.js';\nexport const b = () => a;\n`,
      },
      depcheck,
    );
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`error no-path-out-of-workspace: sfu/test/${probe}A.ts → scripts/platform/main.ts`);
    expect(r.output).toMatch(/error no-circular: sfu\/test\/depcheckProbe\d+[AB]\.ts/);
  });
});
