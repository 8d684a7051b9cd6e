import * as vscode from 'vscode';
import { McpSecureError } from '../core/errors';
import type { BrowserOpener } from '../core/ports';
import { Strings } from './strings';
import { isLoopbackHost } from '../core/common/urlPolicy';

/**
 * Opens authorization URLs through the editor (`env.openExternal`), never a shell. Before opening, the
 * loopback `redirect_uri` goes through `env.asExternalUri`, which in a remote window (SSH, Codespaces)
 * sets up the port forwarding the browser's redirect needs; the authorization URL itself is opened
 * unchanged (rewriting it would break the registered redirect).
 *
 * A loopback authorization server's URL is not rewritten either: in a remote window the editor maps
 * `http://127.0.0.1:<port>` to wherever the user's browser can reach that port (desktop: a forwarded
 * port; code-server: its proxy route, or the `VSCODE_PROXY_URI` the operator set). Disguising the
 * address to dodge that mapping (e.g. as `http://2130706433:<port>`) would send a remote user's browser
 * to their own machine, where nothing listens. The test harness, whose browser runs on the server
 * machine, points code-server's `VSCODE_PROXY_URI` at scripts/harness/loopbackRedirector.mjs instead.
 */
export class EditorBrowserOpener implements BrowserOpener {
  async open(url: URL): Promise<void> {
    await forwardLoopbackRedirect(url);
    const opened = await vscode.env.openExternal(vscode.Uri.parse(url.toString(), true));
    if (!opened) throw new McpSecureError('authorization_cancelled', Strings.browserNotOpened);
  }
}

async function forwardLoopbackRedirect(authorizationUrl: URL): Promise<void> {
  const redirect = authorizationUrl.searchParams.get('redirect_uri');
  if (!redirect) return;
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return;
  }
  if (target.protocol !== 'http:' || !isLoopbackHost(target.hostname)) return;
  await vscode.env.asExternalUri(vscode.Uri.parse(target.toString(), true));
}
