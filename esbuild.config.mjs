// Bundles the extension (CJS, `vscode` external), the headless CLI and the audit webview script.
// Usage: node esbuild.config.mjs [--production] [--watch]
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
  legalComments: 'none',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
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

const existing = [];
for (const b of builds) {
  const { existsSync } = await import('node:fs');
  if (existsSync(b.entryPoints[0])) existing.push(b);
}

if (watch) {
  for (const b of existing) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(existing.map((b) => esbuild.build(b)));
}
