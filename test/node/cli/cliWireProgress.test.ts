import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readEvents } from '../../fixtures/mcp/eventLog';
import { modernStdioServerCommand, stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { bundleCli, runCli, type CliRun } from './support/cliBundle';

/** Polls until `done` holds (bounded): the fixture and the CLI write as messages arrive. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
}

/** `tools` as JSON with the log on stderr, on the 2026-07-28 wire. */
const VERBOSE_MODERN_TOOLS = ['tools', '--json', '-v', '--protocol', '2026-07-28'];

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The CLI as a real process against real stdio servers: `--protocol` on stdio (the modern-only SDK v2
 * server checks the secret in `_meta`), and `call` with progress and Ctrl+C (SIGINT) cancellation.
 */
describe('mcp-secure CLI: stdio on the 2026-07-28 wire, progress and cancellation (real processes)', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;
  let eventLog: string;

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-cli-wire-'));
  });
  beforeEach(() => {
    eventLog = join(dir, `events-${randomBytes(4).toString('hex')}.jsonl`);
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const modern = (): string[] => ['--', ...Object.values(modernStdioServerCommand()).flat()];
  const legacy = (): string[] => ['--', ...Object.values(stdioServerCommand()).flat()];
  /** `call wait_for_cancel` on the legacy fixture, with progress tools on and its events logged. */
  const waitForCancel = (): string[] => [
    'call',
    'wait_for_cancel',
    '--env',
    'MCP_FIXTURE_PROGRESS_TOOLS=1',
    '--env',
    `MCP_FIXTURE_EVENT_LOG=${eventLog}`,
    '--stdio',
    ...legacy(),
  ];
  const json = (r: CliRun): { error?: { code: string; message: string } } & Record<string, unknown> =>
    JSON.parse(r.stdout) as never;

  it('--protocol 2026-07-28 lists the tools of a modern-only stdio server; the presented secret is printed nowhere', async () => {
    const r = await runCli(cli, [
      ...VERBOSE_MODERN_TOOLS,
      '--env',
      `MCP_FIXTURE_EVENT_LOG=${eventLog}`,
      '--env',
      'MCP_FIXTURE_RECORD_SECRET=1',
      '--stdio',
      ...modern(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const tools = (json(r).tools as { name: string }[]).map((t) => t.name).sort();
    assert.deepEqual(tools, ['echo', 'wait_for_cancel']);
    const secret = readEvents(eventLog).find((e) => e.event === 'secret')?.value;
    assert.ok(secret && secret.length >= 43, 'the server received a 256-bit secret in _meta');
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), 'the secret is not in the output or the log');
  });

  it('without --protocol (stdio default 2025-11-25) the modern-only server is refused: exit 3, protocol_mismatch naming --protocol', async () => {
    const r = await runCli(cli, ['tools', '--json', '--stdio', ...modern()]);
    assert.equal(r.code, 3);
    assert.equal(json(r).error?.code, 'protocol_mismatch');
    assert.match(json(r).error?.message ?? '', /only the 2026-07-28 protocol.*--protocol/);
  });

  it('--protocol 2026-07-28 against a 2025-only stdio server: exit 3, protocol_mismatch', async () => {
    const r = await runCli(cli, ['tools', '--json', '--protocol', '2026-07-28', '--stdio', ...legacy()]);
    assert.equal(r.code, 3);
    assert.equal(json(r).error?.code, 'protocol_mismatch');
  });

  it('a wrong secret on the 2026-07-28 wire: exit 3, handshake_rejected with the server’s refusal', async () => {
    const canary = `canary-${randomBytes(16).toString('hex')}`;
    const r = await runCli(cli, [
      ...VERBOSE_MODERN_TOOLS,
      '--secret-mode',
      'handshake',
      '--env',
      'MCP_SECRET_ENV_VAR=NOTES_SECRET',
      '--env',
      `NOTES_SECRET=${canary}`,
      '--stdio',
      ...modern(),
    ]);
    assert.equal(r.code, 3);
    assert.equal(json(r).error?.code, 'handshake_rejected');
    assert.match(json(r).error?.message ?? '', /Unauthorized/);
  });

  it('call: SIGINT sends notifications/cancelled for the call and exits 3; stderr that is not a terminal gets no progress line', async () => {
    const child = spawn(process.execPath, [cli, ...waitForCancel()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await until(() => readEvents(eventLog).some((e) => e.event === 'call'));
    child.kill('SIGINT');
    const code = await exited;
    await until(() => readEvents(eventLog).some((e) => e.event === 'cancelled'));
    const events = readEvents(eventLog);
    const call = events.find((e) => e.event === 'call');
    assert.ok(call?.progressToken !== null && call?.progressToken !== undefined, 'a progress token was sent');
    assert.equal(events.find((e) => e.event === 'cancelled')?.requestId, call?.requestId, 'cancelled that request');
    assert.equal(code, 3);
    assert.match(stderr, /cancelled/);
    assert.ok(
      !stderr.includes('step 1') && !stderr.includes('\r'),
      `no progress line on a pipe: ${JSON.stringify(stderr)}`,
    );
  });

  it('call in a terminal (pseudo-TTY): draws "[ 50%] step 2 of 4" in place, and Ctrl+C cancels the call at the server', async () => {
    // `exec`: script(1) runs the command through $SHELL -c; dash (CI's /bin/sh) stays as the CLI's parent and
    // dies of the same Ctrl+C, so script would report the shell's 130 instead of the CLI's exit code.
    const command = `exec ${[process.execPath, cli, ...waitForCancel()].map(quote).join(' ')}`;
    // util-linux script(1) runs the CLI on a pseudo-terminal; a 0x03 byte typed into it is a real Ctrl+C.
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SHELL: '/bin/sh' },
    });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await until(() => screen.includes('step 2 of 4'));
    child.stdin.write('\u0003');
    const code = await exited;
    await until(() => readEvents(eventLog).some((e) => e.event === 'cancelled'));
    assert.ok(screen.includes('\r\u001b[2K[ 25%] step 1 of 4'), `progress drawn in place: ${JSON.stringify(screen)}`);
    assert.ok(screen.includes('\r\u001b[2K[ 50%] step 2 of 4'));
    assert.ok(
      readEvents(eventLog).some((e) => e.event === 'cancelled'),
      'the server received notifications/cancelled',
    );
    assert.equal(code, 3);
    assert.ok(
      screen.includes('\r\u001b[2Kmcp-secure: The request was cancelled'),
      'the line is erased before the error',
    );
  });
});
