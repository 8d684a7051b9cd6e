import { strict as assert } from 'node:assert';
import { McpSecureError } from '../../../src/core/errors';
import type { Logger } from '../../../src/core/ports';
import { runCommand, type FailureSink } from '../../../src/vscode/commandOutcome';

/** A sink that keeps what a command reported: log lines by level, and the notifications shown. */
function recordingSink(): FailureSink & { readonly lines: string[]; readonly shown: string[] } {
  const lines: string[] = [];
  const shown: string[] = [];
  const logger: Logger = {
    trace: (m) => void lines.push(`trace ${m}`),
    debug: (m) => void lines.push(`debug ${m}`),
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${String(m)}`),
    child: () => logger,
  };
  return { logger, showError: (message) => void shown.push(message), lines, shown };
}

/** VS Code's `CancellationError` (src/vs/base/common/errors.ts): its name and message are both 'Canceled'. */
class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = this.message;
  }
}

/** The same error after crossing from the editor's main thread: a plain Error that kept name and message. */
function rehydratedCancellation(): Error {
  const e = new Error('Canceled');
  e.name = 'Canceled';
  return e;
}

describe('runCommand (how every command ends)', () => {
  const dismissals: [string, () => unknown][] = [
    ['a dismissed picker (cancelled)', () => new McpSecureError('cancelled', 'Cancelled.')],
    [
      'a dismissed sign-in (authorization_cancelled)',
      () => new McpSecureError('authorization_cancelled', 'Cancelled.'),
    ],
    ['an aborted request (AbortError)', () => new DOMException('This operation was aborted', 'AbortError')],
    ["VS Code's CancellationError", () => new CancellationError()],
    ["VS Code's CancellationError from the main thread", rehydratedCancellation],
  ];
  for (const [what, error] of dismissals) {
    it(`${what} resolves to undefined, is logged at debug level and shows nothing`, async () => {
      const sink = recordingSink();
      const outcome = await runCommand(
        sink,
        () => 'Call tool',
        () => Promise.reject(error()),
      );
      assert.deepEqual(
        { outcome, lines: sink.lines, shown: sink.shown },
        {
          outcome: undefined,
          lines: ['debug Call tool: cancelled'],
          shown: [],
        },
      );
    });
  }

  it('any other McpSecureError is logged, shown once as plain text and rethrown as it is', async () => {
    const sink = recordingSink();
    const failure = new McpSecureError(
      'connection_failed',
      'No answer from [x](command:workbench.action.terminal.new)',
    );
    await assert.rejects(
      runCommand(
        sink,
        () => 'Connect',
        () => Promise.reject(failure),
      ),
      (e) => e === failure,
    );
    assert.deepEqual(sink.lines, ['error Connect failed']);
    assert.equal(sink.shown.length, 1);
    assert.match(sink.shown[0] ?? '', /^Connect failed: No answer from/);
    assert.doesNotMatch(sink.shown[0] ?? '', /\]\(command:/, 'no link reaches the notification');
  });

  it('a secret-storage failure is shown with its own message and rethrown', async () => {
    const sink = recordingSink();
    const failure = new McpSecureError('secret_store_failed', 'keychain locked');
    await assert.rejects(
      runCommand(
        sink,
        () => 'Rotate secret',
        () => Promise.reject(failure),
      ),
      (e) => e === failure,
    );
    assert.deepEqual(sink.shown, [
      "Rotate secret failed: Could not save to the editor's secret storage. Nothing was changed.",
    ]);
  });

  it('an error only named like a cancellation is still a failure', async () => {
    const sink = recordingSink();
    const failure = new Error('The request was canceled by a proxy');
    failure.name = 'Canceled';
    await assert.rejects(
      runCommand(
        sink,
        () => 'List tools',
        () => Promise.reject(failure),
      ),
      (e) => e === failure,
    );
    assert.equal(sink.shown.length, 1);
  });

  it("a handler's value is returned as it is and nothing is reported", async () => {
    const sink = recordingSink();
    assert.equal(
      await runCommand(
        sink,
        () => 'Sign in',
        async () => 'alice',
      ),
      'alice',
    );
    assert.equal(
      await runCommand(
        sink,
        () => 'Remove server',
        async () => false,
      ),
      false,
    );
    assert.deepEqual({ lines: sink.lines, shown: sink.shown }, { lines: [], shown: [] });
  });
});
