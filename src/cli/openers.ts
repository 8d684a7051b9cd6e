import { spawn } from 'node:child_process';
import { McpSecureError } from '../core/errors';
import type { BrowserOpener } from '../core/ports';
import { assertSafeUrl } from '../core/common/urlPolicy';
import { toTerminalText } from './terminalText';

/** Prints the authorization URL on stderr for the human to open (the default for `login`). */
export class PrintOpener implements BrowserOpener {
  constructor(private readonly write: (text: string) => void = (t) => process.stderr.write(t)) {}
  async open(url: URL): Promise<void> {
    this.write(
      `Open this URL in a browser to sign in:\n\n  ${toTerminalText(url.href)}\n\nWaiting for the redirect...\n`,
    );
  }
}

/**
 * Hands the URL to a command the user named (`--open-with "firefox --new-window"`). The command line is
 * split on whitespace and run WITHOUT a shell, and the URL is one separate argv element, so nothing in
 * the URL can be interpreted as shell syntax. The child gets a minimal environment
 * ({@link openerEnvironment}): never the store key or a client secret.
 */
export class CommandOpener implements BrowserOpener {
  private readonly argv: string[];
  constructor(
    commandLine: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.argv = commandLine
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0);
    if (this.argv.length === 0) throw new McpSecureError('invalid_url', '--open-with needs a command');
  }
  open(url: URL): Promise<void> {
    const [cmd, ...args] = this.argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, [...args, url.href], {
        shell: false,
        stdio: 'ignore',
        detached: true,
        windowsHide: true,
        env: openerEnvironment(this.env),
      });
      child.once('error', (e) =>
        reject(
          new McpSecureError(
            'authorization_cancelled',
            `could not run the --open-with command (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
            { cause: e },
          ),
        ),
      );
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    });
  }
}

/** What a browser needs to find the display, the user's profile and its locale; nothing else. */
const OPENER_ENV_NAMES = new Set([
  'PATH',
  'PATHEXT',
  'HOME',
  'USER',
  'LOGNAME',
  'USERNAME',
  'USERPROFILE',
  'APPDATA',
  'LOCALAPPDATA',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  'BROWSER',
]);

/**
 * The environment for the `--open-with` child: an allowlist (display, profile, locale, `XDG_*`,
 * `LC_*`), so `MCP_SECURE_STORE_KEY`, the `--client-secret-env` variable and anything else secret
 * in the CLI's environment never reach the opener.
 */
export function openerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    const upper = name.toUpperCase();
    if (value !== undefined && (OPENER_ENV_NAMES.has(upper) || upper.startsWith('XDG_') || upper.startsWith('LC_')))
      out[name] = value;
  }
  return out;
}

const MAX_HOPS = 10;

/**
 * A headless "browser" for automation and the conformance suite: GETs the authorization URL with
 * `redirect: 'manual'` and follows each `Location` itself (bounded, each hop checked: https, or http on
 * a loopback host) until it has delivered the final redirect to the loopback listener. It performs no
 * login or consent, so it only completes flows where the authorization server redirects at once.
 */
export class HeadlessOpener implements BrowserOpener {
  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  async open(url: URL): Promise<void> {
    let current = url;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      assertFetchable(current);
      const response = await this.fetchImpl(current, { redirect: 'manual', headers: { accept: 'text/html' } });
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return;
      current = new URL(location, current);
    }
    throw new McpSecureError('authorization_denied', 'too many redirects from the authorization server');
  }
}

function assertFetchable(url: URL): void {
  assertSafeUrl(url, 'redirect target of the authorization server');
}
