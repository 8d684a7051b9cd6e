import { strict as assert } from 'node:assert';
import type { ProgressReport } from '../../../src/vscode/progress';
import { toolProgressReporter } from '../../../src/vscode/toolProgress';

describe('Call Tool progress notification (MCP progress → editor progress)', () => {
  function run(updates: { progress: number; total?: number; message?: string }[]): ProgressReport[] {
    const reports: ProgressReport[] = [];
    const onProgress = toolProgressReporter((r) => reports.push(r));
    for (const u of updates) onProgress?.(u);
    return reports;
  }

  it("shows the server's message with the percentage, and moves the bar by the difference", () => {
    assert.deepEqual(
      run([
        { progress: 1, total: 4, message: 'step 1 of 4' },
        { progress: 2, total: 4, message: 'step 2 of 4' },
        { progress: 4, total: 4 },
      ]),
      [
        { message: 'step 1 of 4 (25%)', increment: 25 },
        { message: 'step 2 of 4 (50%)', increment: 25 },
        { message: '100%', increment: 50 },
      ],
    );
  });

  it('without a total shows the message only, and a bar never moves back', () => {
    assert.deepEqual(
      run([
        { progress: 3, message: 'working' },
        { progress: 3, total: 4 },
        { progress: 2, total: 4 },
      ]),
      [{ message: 'working' }, { message: '75%', increment: 75 }, { message: '50%' }],
    );
  });

  it('server text cannot become a link or a command in the notification', () => {
    const [report] = run([
      { progress: 1, total: 2, message: 'Done [click](command:workbench.action.terminal.new) $(alert)' },
    ]);
    assert.ok(report?.message);
    assert.ok(!report.message.includes('](command:') && !report.message.includes('$(alert)'), report.message);
    assert.ok(report.message.endsWith('(50%)'));
  });
});
