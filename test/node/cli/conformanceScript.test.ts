import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeScript, type CliRun } from './support/cliBundle';

let dir: string;

function runScript(args: string[]): Promise<CliRun> {
  return runNodeScript('scripts/conformance.mjs', ['--results', join(dir, 'results'), ...args]);
}

/** scripts/conformance.mjs judged with a client that does nothing (`true`), against the real suite. */
describe('conformance runner script', function () {
  this.timeout(90_000);
  before(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'mcp-secure-conf-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('fails a scenario whose checks fail, marks a no-op pass as vacuous, and ends with "N passed, M failed"', async () => {
    const r = await runScript([
      '--command',
      'true',
      '--scenario',
      'tools_call',
      '--scenario',
      'sep-2640-client-no-prefetch',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), '1 passed, 1 failed');
    assert.match(r.stdout, /^tools_call\s+2025-11-25\s+FAIL\s+\S+\s+FAILURE tool-add-numbers/m);
    assert.match(r.stdout, /^sep-2640-client-no-prefetch\s+2025-11-25\s+pass \(vacuous\)/m);
  });

  it('--check exits non-zero only for scenarios that passed in the baseline', async () => {
    const baseline = join(dir, 'baseline.json');
    await fs.writeFile(baseline, JSON.stringify({ passed: ['tools_call'] }));
    const regression = await runScript([
      '--command',
      'true',
      '--scenario',
      'tools_call',
      '--check',
      '--baseline',
      baseline,
    ]);
    assert.equal(regression.code, 1);
    assert.match(regression.stdout, /REGRESSIONS against the baseline: tools_call/);
    await fs.writeFile(baseline, JSON.stringify({ passed: [] }));
    const known = await runScript(['--command', 'true', '--scenario', 'tools_call', '--check', '--baseline', baseline]);
    assert.equal(known.code, 0, known.stdout);
    assert.match(known.stdout, /no regression/);
  });

  it('rejects unknown scenarios and options', async () => {
    assert.equal((await runScript(['--scenario', 'no-such-scenario', '--command', 'true'])).code, 2);
    assert.equal((await runScript(['--bogus'])).code, 2);
  });
});
