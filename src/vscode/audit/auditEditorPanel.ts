/**
 * "Open Audit Log in Editor": the same audit app as the side bar view, in an editor-area webview panel
 * where the table, the chart's breakdown and the record details have room. One panel at a time (the
 * command reveals it when it is already open); it comes back after a window reload through a
 * serializer. Same strict CSP and wiring as the view (webviewWiring.ts); its own session, so replies
 * never cross between the two.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import { Views } from '../constants';
import { Strings } from '../strings';
import type { AuditPanelBackend } from './auditPanelBackend';
import { wireAuditWebview } from './webviewWiring';

/** `viewType` of the editor panel (also its serializer's and activation event's id). */

export class AuditEditorPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly backend: AuditPanelBackend,
    private readonly logger: Logger,
  ) {}

  /** Opens the panel in the active editor group, or reveals it where it is. */
  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      Views.auditLogEditor,
      Strings.auditEditorTitle,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        enableCommandUris: false,
        localResourceRoots: this.roots(),
        retainContextWhenHidden: false,
      },
    );
    this.adopt(panel);
  }

  /** Restores the panel after a window reload. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(Views.auditLogEditor, {
      deserializeWebviewPanel: async (panel) => {
        if (this.panel) panel.dispose();
        else this.adopt(panel);
      },
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.panel = undefined;
  }

  private roots(): vscode.Uri[] {
    return [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media', 'audit')];
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'mcpSecure.svg');
    const [dist, media] = this.roots() as [vscode.Uri, vscode.Uri];
    const wiring = wireAuditWebview(panel.webview, this.backend, this.logger, {
      roots: [dist, media],
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'audit.css')).toString(),
      surface: 'editor',
    });
    const disposed = panel.onDidDispose(() => {
      wiring.dispose();
      disposed.dispose();
      if (this.panel === panel) this.panel = undefined;
    });
  }
}
