import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { taskServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { bundleCli, type CliRun, runCli } from './support/cliBundle';

/**
 * `mcp-secure call` on task-augmented tools (MCP 2025-11-25 §Utilities/Tasks): the bundled CLI as a
 * real child process, the SDK 1.x task server as its stdio child.
 */
describe('CLI: task-augmented tools (real process, real task server)', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-cli-tasks-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const server = (env: string[] = []): string[] => {
    const { command, args } = taskServerCommand();
    return [...env.flatMap((e) => ['--env', e]), '--stdio', '--', command, ...args];
  };
  const run = (args: string[]): Promise<CliRun> => runCli(cli, args);

  it('runs a task-required tool: status lines on stderr, the result on stdout, exit 0', async () => {
    const r = await run(['call', 'report', '--args', '{"steps":3,"stepMs":20,"fail":false}', ...server()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'report done: 3 steps');
    assert.match(r.stderr, /^task [0-9a-f]{12}…: working$/m);
    assert.match(r.stderr, /^task [0-9a-f]{12}…: completed \(step 3 of 3\)$/m);
    assert.doesNotMatch(r.stderr, /requires task augmentation/);
  });

  it('keeps --json output parseable and exits 4 when the task failed', async () => {
    const r = await run(['call', 'report', '--json', '--args', '{"steps":1,"stepMs":5,"fail":true}', ...server()]);
    assert.equal(r.code, 4, r.stderr);
    const result = JSON.parse(r.stdout) as { isError: boolean; content: { text: string }[] };
    assert.equal(result.isError, true);
    assert.equal(result.content[0]?.text, 'report failed after 1 steps');
    assert.match(r.stderr, /: failed/);
  });

  it('calls a task-optional tool normally, and as a task with --task', async () => {
    const plain = await run(['call', 'tally', '--args', '{"values":[1,2]}', ...server()]);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.trim(), 'sum 3');
    assert.doesNotMatch(plain.stderr, /^task /m);
    const tasked = await run(['call', 'tally', '--task', '--args', '{"values":[1,2]}', ...server()]);
    assert.equal(tasked.code, 0, tasked.stderr);
    assert.equal(tasked.stdout.trim(), 'sum 3');
    assert.match(tasked.stderr, /^task [0-9a-f]{12}…: completed$/m);
    const misplaced = await run(['tools', '--task', ...server()]);
    assert.equal(misplaced.code, 1);
    assert.match(misplaced.stderr, /--task applies to "call" only/);
  });

  it('Ctrl+C cancels the task on the server (tasks/cancel) and exits 3', async () => {
    const events = join(dir, 'events.jsonl');
    const child = spawn(
      process.execPath,
      [
        cli,
        'call',
        'report',
        '--args',
        '{"steps":10000,"stepMs":20,"fail":false}',
        ...server([`TASK_EVENTS_FILE=${events}`]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/step \d+ of 10000/.test(stderr) && !interrupted) interrupted = child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    assert.ok(interrupted, `the task ran (stderr: ${stderr})`);
    assert.equal(code, 3, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, /The request was cancelled\. \[cancelled\]/);
    const taskId = /^task ([0-9a-f]{12})…/m.exec(stderr)?.[1];
    const cancelled = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { cancelled: string }).cancelled);
    assert.equal(cancelled.length, 1);
    assert.ok(taskId && cancelled[0]?.startsWith(taskId), `${cancelled[0]} is the task ${taskId}`);
  });
});
