import { isMcpSecureError } from '../core/errors';
import { UsageError } from './args';
import { ExitCode, exitCodeFor } from './exitCodes';
import type { Redactor } from '../core/common/redaction';
import { toTerminalText } from './terminalText';

/**
 * Everything the CLI prints goes through here: results on stdout (text or `--json`), errors on stderr
 * (and as `{"error":{…}}` on stdout with `--json`), all of it redacted and stripped of terminal
 * control sequences (see ./terminalText).
 */
export class Output {
  constructor(
    private readonly json: boolean,
    private readonly redactor: Redactor,
    private readonly out: (text: string) => void = (t) => process.stdout.write(t),
    private readonly err: (text: string) => void = (t) => process.stderr.write(t),
  ) {}

  /** A result: `value` as JSON with `--json`, else the text lines. */
  result(value: unknown, text: string): void {
    if (this.json) this.out(`${this.printable(JSON.stringify(value, null, 2))}\n`);
    else if (text.length > 0) this.out(`${this.printable(text)}\n`);
  }

  /** Progress or notices for the human (never on stdout, so `--json` output stays parseable). */
  notice(text: string): void {
    this.err(`${this.printable(text)}\n`);
  }

  /** Reports an error and returns the exit code it maps to. */
  failure(error: unknown): ExitCode {
    const { code, message, exit } = describeError(error);
    if (this.json)
      this.out(`${this.printable(JSON.stringify({ error: { code, message, exitCode: exit } }, null, 2))}\n`);
    this.err(
      `${this.printable(`mcp-secure: ${message}${code !== 'usage' && code !== 'internal' ? ` [${code}]` : ''}`)}\n`,
    );
    if (exit === ExitCode.usage) this.err('Run "mcp-secure --help" for usage.\n');
    return exit;
  }

  /** Redacted, and unable to drive the terminal (server-controlled text: escape sequences are shown, not run). */
  private printable(text: string): string {
    return toTerminalText(this.redactor.redactText(text));
  }
}

function describeError(error: unknown): { code: string; message: string; exit: ExitCode } {
  if (error instanceof UsageError) return { code: 'usage', message: error.message, exit: ExitCode.usage };
  if (isMcpSecureError(error)) return { code: error.code, message: error.message, exit: exitCodeFor(error.code) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `unexpected error: ${message}`, exit: ExitCode.connection };
}
