// The repository's module boundaries, checked by `npm run depcheck` (part of `npm test`, so CI
// fails on a violation). Tracker issue 15, point 4; STYLE.md "Boundaries".
//
// A workspace is any top-level folder with a package.json (read at each run, so a new workspace
// such as media/, server-kit/ or clients/ is covered without editing this file). It is used
// through its package name and its `exports` only: dependency-cruiser resolves
// `@live-casino/<name>` through the workspace symlink with the `source` condition, to the
// TypeScript file the package exports, so those imports are seen (for cycles) but are never path
// imports.
const fs = require('node:fs');
const path = require('node:path');

const workspaces = fs
  .readdirSync(__dirname, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
  .filter((d) => fs.existsSync(path.join(__dirname, d.name, 'package.json')))
  .map((d) => d.name)
  .sort();
const inWorkspace = `^(${workspaces.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})/`;

// A relative import ('../x.js') is 'local' only. A package import of a workspace resolves to the
// same kind of file but is also 'aliased' (from the root, which declares the workspaces) or
// 'undetermined' (from a workspace, whose own package.json does not).
const relative = { dependencyTypes: ['local'], dependencyTypesNot: ['aliased', 'aliased-workspace', 'undetermined'] };

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-path-into-another-workspace',
      comment:
        "A workspace's file imports another workspace's file by relative path. Import the package " +
        '(`@live-casino/<name>`), and export what is needed from its index.ts / package.json `exports`.',
      severity: 'error',
      from: { path: inWorkspace },
      to: { ...relative, path: inWorkspace, pathNot: '^$1/' },
    },
    {
      name: 'no-path-out-of-workspace',
      comment:
        "A workspace's file imports a file outside any workspace (scripts/, e2e/, the root) by relative " +
        'path: what a workspace needs belongs in a workspace (shared test support: @live-casino/testing). ' +
        'The one exception is scripts/mediasoup-worker/, the worker build: its smoke check and the ' +
        'location of the binary it caches, plain JavaScript that runs before anything is built.',
      severity: 'error',
      from: { path: inWorkspace },
      to: { ...relative, pathNot: [inWorkspace, '^scripts/mediasoup-worker/'] },
    },
    {
      name: 'no-path-from-root-into-workspace',
      comment:
        'Root tooling (scripts/, e2e/, root configs) imports a workspace by relative path: import the ' +
        'package instead, like any other caller.',
      severity: 'error',
      from: { pathNot: inWorkspace },
      to: { ...relative, path: inWorkspace },
    },
    {
      name: 'no-circular',
      comment:
        'A module reaches itself again through its imports (type-only imports included: a cycle of ' +
        'types is still two modules that cannot be understood, or moved, apart).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'vision-live-not-studio',
      comment:
        'The live vision worker reads the video the players watch; it must not depend on the studio ' +
        "simulator that produced it (it would read the simulator's truth, not the picture), nor on the " +
        "training half (vision/src/dataset, which renders with the simulator). A table's geometry comes from " +
        'its calibration (vision/calibration, vision/src/live/Calibration.ts). Checked through every path.',
      severity: 'error',
      from: { path: '^vision/src/live/' },
      to: { path: '^(studio/|vision/src/dataset/)', reachable: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing: a typo, or a file moved without its importers.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: [
        '(^|/)node_modules/',
        '(^|/)dist/',
        '^\\.data/',
        '^test-results/',
        '^playwright-report/',
        '^load-tests/results/',
      ],
    },
    // Type-only imports count too (a path import of a type is still a path import).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // The workspaces' sources, as vitest and tsx see them (vitest.config.ts: resolve.conditions).
      conditionNames: ['source', 'import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.mts', '.d.mts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
