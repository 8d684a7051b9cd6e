import { strict as assert } from 'node:assert';
import { Redactor } from '../../../src/core/common/redaction';
import { formatProgress, ProgressLine } from '../../../src/cli/progressLine';

describe('CLI progress line', () => {
  const redactor = new Redactor();

  function line(isTTY: boolean, columns?: number): { progress: ProgressLine; written: string[] } {
    const written: string[] = [];
    return { progress: new ProgressLine({ isTTY, columns, redactor, write: (t) => written.push(t) }), written };
  }

  it('writes nothing at all when stderr is not a terminal', () => {
    const { progress, written } = line(false);
    progress.update({ progress: 1, total: 2, message: 'half' });
    progress.done();
    assert.deepEqual(written, []);
  });

  it('redraws one line in place on a terminal and erases it when the call ends', () => {
    const { progress, written } = line(true);
    progress.update({ progress: 1, total: 4, message: 'step 1 of 4' });
    progress.update({ progress: 3, message: 'no total' });
    progress.done();
    progress.done();
    assert.deepEqual(written, ['\r\u001b[2K[ 25%] step 1 of 4', '\r\u001b[2K[3] no total', '\r\u001b[2K']);
  });

  it('keeps server text from driving the terminal, redacts secrets, and fits the width', () => {
    const secret = 'canary-progress-secret-value';
    const r = new Redactor();
    r.registerSecret(secret);
    const text = formatProgress({ progress: 5, total: 4, message: `a\u001b]8;;https://x\u0007b\nc ${secret}` }, r, 200);
    assert.equal(text.startsWith('[100%] a\\u001b]8;;https://x\\u0007b c '), true, text);
    assert.ok(!text.includes(secret) && !text.includes('\u001b'));
    assert.equal(formatProgress({ progress: 1, total: 2, message: 'x'.repeat(300) }, r, 40).length, 39);
  });
});
