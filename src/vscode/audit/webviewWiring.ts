/**
 * Connects one audit webview to the {@link AuditPanelBackend}. No vscode import (the webview is
 * described by the few members used), so the ordering is unit-testable.
 *
 * Order matters: the message listener is attached BEFORE the HTML is assigned. Assigning `html` starts
 * the page, whose script posts `ready` and its first requests at once; a message arriving before a
 * listener exists is dropped by the editor, and a dropped request leaves the panel waiting forever.
 */
import type { Logger } from '../../core/ports';
import type { AuditPanelBackend, AuditSurface } from './auditPanelBackend';
import { WEBVIEW_STRINGS } from '../../webview/webviewStrings';
import { translateTable } from '../localize';
import { auditPanelHtml } from './auditPanelHtml';
import type { Disposable } from '../../core/common/lifecycle';

/** The members of `vscode.Webview` the audit panel uses. */
export interface AuditWebviewLike {
  options: {
    enableScripts?: boolean;
    enableCommandUris?: boolean | readonly string[];
    localResourceRoots?: readonly unknown[];
  };
  html: string;
  readonly cspSource: string;
  onDidReceiveMessage(listener: (message: unknown) => void): Disposable;
  postMessage(message: unknown): Thenable<boolean>;
}

export interface AuditWebviewResources {
  /** `localResourceRoots` (dist/ and media/audit/). */
  readonly roots: readonly unknown[];
  /** `asWebviewUri` of dist/webview.js and media/audit/audit.css. */
  readonly scriptUri: string;
  readonly styleUri: string;
  /** Where the webview is shown (default: the side bar view). */
  readonly surface?: AuditSurface;
}

/** Wires `webview` to `backend`: listener first, then options and HTML. Dispose to detach. */
export function wireAuditWebview(
  webview: AuditWebviewLike,
  backend: AuditPanelBackend,
  logger: Logger,
  res: AuditWebviewResources,
): Disposable {
  const surface = res.surface ?? 'view';
  // Replies to this webview's requests go to this webview only (see AuditPanelSession).
  const session = backend.connect((m) => {
    void Promise.resolve(webview.postMessage(m)).then(undefined, () => undefined);
  }, surface);
  const subscriptions: Disposable[] = [
    session,
    webview.onDidReceiveMessage((m: unknown) => {
      session
        .handle(m)
        .catch((err: unknown) =>
          logger.warn(`audit panel message failed: ${err instanceof Error ? err.message : 'unknown'}`),
        );
    }),
  ];
  webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: res.roots };
  webview.html = auditPanelHtml({
    cspSource: webview.cspSource,
    scriptUri: res.scriptUri,
    styleUri: res.styleUri,
    surface,
    strings: translateTable(WEBVIEW_STRINGS),
  });
  return {
    dispose: () => {
      for (const s of subscriptions.splice(0)) s.dispose();
    },
  };
}
