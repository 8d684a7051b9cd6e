import { strict as assert } from 'node:assert';
import path from 'node:path';
import { build } from 'esbuild';
import { AUDIT_OUTCOME_KINDS } from '../../../src/core/audit/auditRecord';
import { OUTCOME_KINDS } from '../../../src/webview/protocol';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Issue 10: the webview shares core's node-free audit types instead of declaring them again. */
describe('audit types shared by host and webview', () => {
  it("the webview's outcome kinds are core's own list, and its bundle pulls in no node: module", async () => {
    assert.equal(OUTCOME_KINDS, AUDIT_OUTCOME_KINDS);
    const result = await build({
      entryPoints: [path.join(ROOT, 'src/webview/main.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.includes('src/core/audit/auditTypes.ts'), inputs.join(', '));
    assert.deepEqual(
      inputs.filter((i) => i.startsWith('node:') || i === 'src/core/audit/auditRecord.ts'),
      [],
    );
  });
});
