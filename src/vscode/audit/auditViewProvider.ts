/**
 * The `mcpSecure.auditLog` webview view: loads dist/webview.js under a strict nonce CSP and relays
 * protocol messages to the {@link AuditPanelBackend} (see webviewWiring.ts for the ordering).
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import type { AuditPanelBackend } from './auditPanelBackend';
import { wireAuditWebview } from './webviewWiring';

export class AuditViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  /** The wiring of the current view (a view resolved again replaces it). */
  private wiring: vscode.Disposable | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly backend: AuditPanelBackend,
    private readonly logger: Logger,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.wiring?.dispose();
    this.view = view;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media', 'audit');
    const wiring = wireAuditWebview(view.webview, this.backend, this.logger, {
      roots: [dist, media],
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'audit.css')).toString(),
    });
    const disposed = view.onDidDispose(() => {
      wiring.dispose();
      disposed.dispose();
      if (this.view === view) this.view = undefined;
    });
    this.wiring = vscode.Disposable.from(wiring, disposed);
  }

  /** Reveals the view (used after commands that change its content). */
  reveal(): void {
    this.view?.show?.(true);
  }

  dispose(): void {
    this.wiring?.dispose();
    this.wiring = undefined;
  }
}
