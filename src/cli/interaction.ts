import { McpSecureError } from '../core/errors';
import type { BrowserOpener } from '../core/ports';
import type { ParsedCommand } from './args';

/** What the CLI knows about who could complete a browser sign-in in this run. */
export interface InteractionFacts {
  /** `--open-with`, or `$BROWSER`: something hands the URL to a browser. */
  readonly hasOpener: boolean;
  /** stdin and stderr are terminals: a person sees the printed URL and is waiting for the command. */
  readonly terminal: boolean;
}

export function interactionFacts(parsed: ParsedCommand, env: NodeJS.ProcessEnv = process.env): InteractionFacts {
  return {
    hasOpener: Boolean(parsed.options.openWith ?? browserFromEnv(env)),
    terminal: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  };
}

/**
 * `$BROWSER` (the convention of xdg-utils, git and Python's webbrowser): a `:`-separated list of
 * commands; the first one is used, and the URL is passed as its own argument (never through a shell).
 */
export function browserFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const first = env.BROWSER?.split(process.platform === 'win32' ? ';' : ':')[0]?.trim();
  return first ? first.replace(/\s*%s\s*/g, ' ').trim() || undefined : undefined;
}

/**
 * A browser sign-in can complete when the user asked for it (`login`: the URL may be opened on another
 * machine), when an opener is configured, or when a person at a terminal sees the printed URL. Otherwise
 * (a script, CI, a pipe) waiting for a redirect that nobody will produce would only hang until the deadline.
 */
export function canCompleteSignIn(parsed: ParsedCommand, facts: InteractionFacts): boolean {
  return parsed.command === 'login' || facts.hasOpener || facts.terminal;
}

/** Refuses a browser sign-in at once, saying how to sign in first. */
export class NoSignInOpener implements BrowserOpener {
  constructor(private readonly serverUrl: string) {}
  async open(): Promise<void> {
    throw new McpSecureError(
      'not_signed_in',
      `${this.serverUrl} needs a browser sign-in, and nobody can complete one here (no terminal, no --open-with or $BROWSER). ` +
        `Run \`mcp-secure login ${this.serverUrl}\` first (with the same --store file:<path>; add --scope for wider scopes), or pass --open-with <command>.`,
    );
  }
}

/**
 * The overall `--timeout` deadline: aborts with a typed `request_timeout` that says how long it waited
 * (not "cancelled", which is what Ctrl-C means).
 */
export function deadlineSignal(timeoutMs: number): AbortSignal {
  const controller = new AbortController();
  const seconds = Math.round(timeoutMs / 100) / 10;
  setTimeout(
    () =>
      controller.abort(new McpSecureError('request_timeout', `Timed out after ${seconds} s (--timeout ${timeoutMs}).`)),
    timeoutMs,
  ).unref();
  return controller.signal;
}
