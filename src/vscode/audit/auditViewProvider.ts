/**
 * The `mcpSecure.auditLog` webview view: loads dist/webview.js under a strict nonce CSP and relays
 * protocol messages to the {@link AuditPanelBackend}.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { AuditPanelBackend } from './auditPanelBackend';
import { auditPanelHtml } from './auditPanelHtml';

export const AUDIT_VIEW_ID = 'mcpSecure.auditLog';

export class AuditViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly backend: AuditPanelBackend,
    private readonly logger: Logger,
  ) {
    this.disposables.push(backend.onDidPost((m) => {
      void this.view?.webview.postMessage(m).then(undefined, () => undefined);
    }));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'audit');
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [dist, media] };
    view.webview.html = auditPanelHtml({
      cspSource: view.webview.cspSource,
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'audit.css')).toString(),
    });
    this.disposables.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        this.backend.handle(m).catch((err: unknown) => this.logger.warn(`audit panel message failed: ${err instanceof Error ? err.message : 'unknown'}`));
      }),
      view.onDidDispose(() => { this.view = undefined; }),
    );
  }

  /** Reveals the view (used after commands that change its content). */
  reveal(): void {
    this.view?.show?.(true);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
