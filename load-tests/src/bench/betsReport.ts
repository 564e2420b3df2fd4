/**
 * `npm run bench:bets:report [-- results.json]`: writes the README's bench:bets table from a results
 * file of `npm run bench:bets` (default: the newest in load-tests/results), between its markers.
 * The table is never typed by hand. `--check` only says whether the README matches the file.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BetsResults, groupRuns, renderTable, spliceTable, summarizeConfig } from '../bets/benchRuns.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RESULTS = path.join(REPO_ROOT, 'load-tests/results');
const README = path.join(REPO_ROOT, 'README.md');

async function newestResults(): Promise<string> {
  const files = (await readdir(RESULTS)).filter((f) => /^bench-bets-.*\.json$/.test(f)).sort();
  const last = files.at(-1);
  if (!last) throw new Error(`no bench-bets-*.json in ${RESULTS}: run npm run bench:bets first`);
  return path.join(RESULTS, last);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const given = args.find((a) => !a.startsWith('--'));
  const file = given ? path.resolve(given) : await newestResults();
  const results = JSON.parse(await readFile(file, 'utf8')) as BetsResults;
  if (results.bench !== 'bets' || !Array.isArray(results.summary))
    throw new Error(`${file} is not a bench:bets results file`);
  // Summaries are recomputed from the runs, so that a file written by an older bench reads the same way.
  results.summary = groupRuns(results.runs).map(summarizeConfig);
  const table = `${renderTable(results)}\n\nFrom \`${path.relative(REPO_ROOT, file)}\`.`;
  const readme = await readFile(README, 'utf8');
  const next = spliceTable(readme, table);
  if (check) {
    console.log(next === readme ? 'README bench:bets table matches' : 'README bench:bets table differs');
    return next === readme ? 0 : 1;
  }
  await writeFile(README, next);
  console.error(`README.md: bench:bets table from ${path.relative(REPO_ROOT, file)}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('bench:bets:report failed:', err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
