// Bundles the integration tests into one CJS file VS Code can load as `extensionTestsPath`:
// test/integration/runner/index.ts (mocha runner exporting run()) plus every
// test/integration/suite/**/*.test.ts, mocha bundled in, `vscode` external.
// Usage: node scripts/harness/bundleIntegration.mjs    -> out/integration/index.js
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from './setup.mjs';

export const INTEGRATION_OUT = path.join(REPO_ROOT, 'out', 'integration', 'index.js');
/**
 * The same suites without our runner, for @vscode/test-cli's own runner (.vscode-test.mjs `files`): loading it
 * registers every suite with the mocha that loads it.
 */
export const SUITES_OUT = path.join(REPO_ROOT, 'out', 'integration', 'suites.js');

/** Every `*.test.ts` under `dir`, sorted, as absolute paths. */
/** @param {string} dir @returns {string[]} */
export function findSuiteFiles(dir) {
  /** @type {string[]} */
  const found = [];
  const walk = (/** @type {string} */ d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.test.ts')) found.push(p);
    }
  };
  walk(dir);
  return found.sort();
}

/** esbuild plugin providing `mcp-secure:integration-suites` (lazy `require` per suite file). */
/** @param {string[]} files @returns {esbuild.Plugin} */
function suitesPlugin(files) {
  return {
    name: 'integration-suites',
    setup(build) {
      build.onResolve({ filter: /^mcp-secure:integration-suites$/ }, (args) => ({
        path: args.path,
        namespace: 'suites',
      }));
      build.onLoad({ filter: /.*/, namespace: 'suites' }, () => ({
        resolveDir: REPO_ROOT,
        loader: 'js',
        contents: `export const suites = [\n${files
          .map((f) => `  { file: ${JSON.stringify(f)}, load: () => require(${JSON.stringify(f)}) },`)
          .join('\n')}\n];\n`,
      }));
    },
  };
}

/** The esbuild options both bundles share: one CommonJS file for the extension host's Node, with inline source maps. */
const NODE_TEST_BUNDLE = /** @type {const} */ ({
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  sourcesContent: false,
});

/**
 * Bundles every suite file into one module that registers them all when loaded (mocha's globals must be
 * set, as a mocha runner does before it requires a file).
 * @param {{ suiteDir?: string, outfile?: string }} [options]
 */
export async function bundleSuites({
  suiteDir = path.join(REPO_ROOT, 'test', 'integration', 'suite'),
  outfile = SUITES_OUT,
} = {}) {
  const files = findSuiteFiles(suiteDir);
  if (files.length === 0) throw new Error(`no *.test.ts under ${suiteDir}`);
  await esbuild.build({
    stdin: { contents: files.map((f) => `require(${JSON.stringify(f)});`).join('\n'), resolveDir: REPO_ROOT },
    outfile,
    ...NODE_TEST_BUNDLE,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return { outfile, files };
}

/** Bundles the runner + suites; returns the output path and the suite files included. */
export async function bundleIntegration({
  runner = path.join(REPO_ROOT, 'test', 'integration', 'runner', 'index.ts'),
  suiteDir = path.join(REPO_ROOT, 'test', 'integration', 'suite'),
  outfile = INTEGRATION_OUT,
} = {}) {
  const files = findSuiteFiles(suiteDir);
  if (files.length === 0) throw new Error(`no *.test.ts under ${suiteDir}`);
  await esbuild.build({
    entryPoints: [runner],
    outfile,
    ...NODE_TEST_BUNDLE,
    external: ['vscode'],
    logLevel: 'warning',
    // mocha's parallel mode (never used here) resolves its worker files lazily; silence that warning.
    logOverride: { 'require-resolve-not-external': 'silent' },
    plugins: [suitesPlugin(files)],
  });
  return { outfile, files };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outfile, files } = await bundleIntegration();
  process.stdout.write(`[harness] bundled ${files.length} suite file(s) into ${path.relative(REPO_ROOT, outfile)}\n`);
}
