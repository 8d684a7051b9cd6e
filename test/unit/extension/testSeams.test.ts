import { strict as assert } from 'node:assert';
import type { ElicitationRequest } from '../../../src/core/mcp/types';
import type { ConfirmRequest, Prompts } from '../../../src/vscode/prompts';
import { TestSeams } from '../../../src/vscode/testSeams';

describe('TestSeams (ExtensionMode.Test only)', () => {
  function realPrompts(log: string[]): Prompts {
    return {
      opener: { open: async (url) => void log.push(`open ${url.href}`) },
      confirm: async (r) => {
        log.push(`confirm ${r.kind}`);
        return false;
      },
      elicit: async () => {
        log.push('elicit');
        return { action: 'decline' };
      },
      progress: (title, work) => {
        log.push(`progress ${title}`);
        return work(new AbortController().signal, (r) => void log.push(`report ${r.message ?? ''}`));
      },
    };
  }
  const removeRequest: ConfirmRequest = { kind: 'removeServer', serverId: 's', message: 'Remove?', action: 'Remove' };
  const rotateRequest: ConfirmRequest = { kind: 'rotateSecret', serverId: 's', message: 'Rotate?', action: 'Rotate' };

  it('without a double, every prompt is the real one', async () => {
    const log: string[] = [];
    const seams = new TestSeams(realPrompts(log));
    await seams.prompts.opener.open(new URL('https://as.example/authorize'));
    assert.equal(await seams.prompts.confirm(removeRequest), false);
    await seams.prompts.elicit({} as ElicitationRequest, new AbortController().signal);
    assert.deepEqual(log, ['open https://as.example/authorize', 'confirm removeServer', 'elicit']);
  });

  it('a confirmation double answers only its kind, records every question, and goes away when disposed', async () => {
    const log: string[] = [];
    const seams = new TestSeams(realPrompts(log));
    const lease = seams.useConfirmation('removeServer', async (r) => r.serverId === 's');
    assert.equal(await seams.prompts.confirm(removeRequest), true);
    assert.equal(await seams.prompts.confirm(rotateRequest), false);
    lease.dispose();
    assert.equal(await seams.prompts.confirm(removeRequest), false);
    assert.deepEqual(
      seams.asked.map((r) => r.kind),
      ['removeServer', 'rotateSecret', 'removeServer'],
    );
    assert.deepEqual(log, ['confirm rotateSecret', 'confirm removeServer']);
  });

  it('opener and elicitation doubles replace the real prompt while leased', async () => {
    const log: string[] = [];
    const seams = new TestSeams(realPrompts(log));
    const opened: string[] = [];
    const lease = seams.useOpener(async (url) => void opened.push(url.href));
    await seams.prompts.opener.open(new URL('https://as.example/a'));
    lease.dispose();
    await seams.prompts.opener.open(new URL('https://as.example/b'));
    assert.deepEqual(opened, ['https://as.example/a']);
    assert.deepEqual(log, ['open https://as.example/b']);
  });

  it('a progress watch sees the reports of the real notification and presses its Cancel', async () => {
    const log: string[] = [];
    const seams = new TestSeams(realPrompts(log));
    const runs: { title: string; cancel(): void; reports: readonly { message?: string }[] }[] = [];
    const lease = seams.useProgress((r) => runs.push(r));
    const outcome = await seams.prompts.progress('Calling', (signal, report) => {
      report({ message: 'step 1', increment: 25 });
      runs[0]?.cancel();
      return Promise.resolve(signal.reason as Error);
    });
    assert.equal((outcome as { code?: string }).code, 'cancelled');
    assert.deepEqual(runs[0]?.reports, [{ message: 'step 1', increment: 25 }]);
    assert.deepEqual(log, ['progress Calling', 'report step 1'], 'the real notification still shows');
    lease.dispose();
    await seams.prompts.progress('Again', async () => undefined);
    assert.equal(runs.length, 1, 'no watch after dispose');
  });
});
