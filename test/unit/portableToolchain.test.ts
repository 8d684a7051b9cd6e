import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** `npm ci` must work on Linux, macOS and Windows (issue 10). */
describe('portable toolchain', () => {
  it('package-lock.json has no platform-bound package that npm ci would have to install', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { os?: string | string[]; cpu?: string | string[]; optional?: boolean }>;
    };
    const bound = Object.entries(lock.packages)
      .filter(([, p]) => (p.os !== undefined || p.cpu !== undefined) && p.optional !== true)
      .map(([name, p]) => `${name} (${[p.os ?? [], p.cpu ?? []].flat().join(', ')})`);
    assert.deepEqual(bound, []);
  });

  it('declares the development Node in engines and .nvmrc, and no dependency puts its own node on PATH', () => {
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node?: string };
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    assert.match(pkg.engines.node ?? '', /^>=20\.19/);
    assert.match(read('.nvmrc').trim(), /^22(\.|$)/);
    const all = { ...pkg.dependencies, ...pkg.devDependencies };
    assert.deepEqual(
      Object.entries(all).filter(([name, spec]) => /^node\d*$/.test(name) || /^npm:node(-|@)/.test(spec)),
      [],
    );
  });
});
