// Bundles the extension (CJS, `vscode` external), the headless CLI, the gateway bridge and the audit webview script.
// Usage: node esbuild.config.mjs [--production] [--watch]
// Every entry point must exist: a missing one fails the build (it is never skipped).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/**
 * The bundles `npm run build` produces (paths relative to the repository root).
 * @param {{ production: boolean }} options
 * @returns {(esbuild.BuildOptions & { entryPoints: [string], outfile: string })[]}
 */
export function buildOptions({ production }) {
  /** @type {esbuild.BuildOptions} */
  const common = {
    bundle: true,
    minify: production,
    sourcemap: !production,
    sourcesContent: false,
    logLevel: 'info',
    legalComments: 'none',
    absWorkingDir: ROOT,
  };
  return [
    {
      ...common,
      entryPoints: ['src/extension.ts'],
      outfile: 'dist/extension.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode'],
      // when evaluating the bundle began (extension.ts reports the load time; the bundle is CJS, so this is module-scoped)
      // ("use strict" first: esbuild's own directive follows the banner, where it would no longer count)
      banner: { js: '"use strict";\nvar __mcpSecureLoadStart = require("node:perf_hooks").performance.now();' },
    },
    {
      ...common,
      entryPoints: ['src/cli/main.ts'],
      outfile: 'dist/cli.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      banner: { js: '#!/usr/bin/env node' },
    },
    {
      // The stdio bridge VS Code starts for each gateway definition (a separate, tiny program).
      ...common,
      entryPoints: ['src/bridge/main.ts'],
      outfile: 'dist/bridge.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
    },
    {
      // The audit store's own thread (worker_threads): sealing and file-system work off the host's event loop.
      ...common,
      entryPoints: ['src/core/audit/auditThread.ts'],
      outfile: 'dist/auditWorker.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
    },
    {
      ...common,
      entryPoints: ['src/webview/main.ts'],
      outfile: 'dist/webview.js',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
    },
  ];
}

/**
 * Entry points of `builds` that do not exist (relative paths).
 * @param {{ entryPoints: [string] }[]} builds
 */
export function missingEntryPoints(builds) {
  return builds.map((b) => b.entryPoints[0]).filter((entry) => !existsSync(path.join(ROOT, entry)));
}

async function main() {
  const { values } = parseArgs({
    options: { production: { type: 'boolean', default: false }, watch: { type: 'boolean', default: false } },
  });
  const builds = buildOptions({ production: values.production });
  const missing = missingEntryPoints(builds);
  if (missing.length > 0) throw new Error(`missing entry point(s): ${missing.join(', ')}`);
  if (values.watch) {
    for (const b of builds) await (await esbuild.context(b)).watch();
  } else {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((/** @type {unknown} */ err) => {
    process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
