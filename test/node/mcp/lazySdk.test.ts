import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

/** A stand-in for any package: every property, call and `new` yields another stand-in. */
function standIn(): unknown {
  return new Proxy(
    function () {
      /* stand-in */
    },
    {
      get: (_t, key) => (key === 'prototype' ? {} : key === Symbol.toPrimitive ? undefined : standIn()),
      construct: () => standIn() as object,
      apply: () => standIn(),
    },
  );
}

/**
 * Builds the extension bundle as esbuild.config.mjs does, but with the heavy packages external, then
 * evaluates it (as the extension host does before `activate()`) and lists the packages it required.
 */
async function packagesRequiredAtLoad(heavy: string[], lazyModules: RegExp[] = []): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-bundle-'));
  const outfile = join(dir, 'extension.js');
  const mod = Module as unknown as { _load: Load };
  const original = mod._load;
  const required = new Set<string>();
  try {
    await esbuild.build({
      entryPoints: ['src/extension.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
      external: ['vscode', ...heavy],
      // our own modules that must load lazily are made "packages" too, named after their file
      plugins: [
        {
          name: 'lazy-probe',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) =>
              lazyModules.some((m) => m.test(args.path)) ? { path: `probe:${args.path}`, external: true } : undefined,
            );
          },
        },
      ],
    });
    mod._load = function (request, parent, isMain) {
      if (request === 'vscode') return standIn();
      if (request.startsWith('probe:') || heavy.some((h) => request === h || request.startsWith(`${h}/`))) {
        required.add(request);
        return standIn();
      }
      return original.call(this, request, parent, isMain);
    };
    Module.createRequire(__filename)(outfile);
  } finally {
    mod._load = original;
    rmSync(dir, { recursive: true, force: true });
  }
  return [...required];
}

describe('extension bundle start-up (lazy loading)', function () {
  this.timeout(60_000);

  it('does not evaluate the MCP SDK (or zod) when the extension loads, only on the first connect', async () => {
    const required = await packagesRequiredAtLoad(['@modelcontextprotocol/client', 'zod']);
    assert.deepEqual(required, []);
  });

  it('does not evaluate the audit index (issue 9: a panel open, not activation, loads it)', async () => {
    const required = await packagesRequiredAtLoad([], [/\/auditIndex$/]);
    assert.deepEqual(required, []);
  });

  it('does not evaluate openid-client when the extension loads, only on the first sign-in, refresh or revocation', async () => {
    const required = await packagesRequiredAtLoad(['openid-client']);
    assert.deepEqual(required, []);
  });
});
