/** Registers the audit side panel, the audit editor tab and the audit commands. */
import * as vscode from 'vscode';
import type { AuditTrail } from '../../core/audit/auditTrail';
import type { Logger } from '../../core/ports';
import { safeText } from '../../core/common/safeText';
import { AuditCommands, Views } from '../constants';
import { Strings } from '../strings';
import type { AuditExportController } from './auditExportController';
import { AuditEditorPanel } from './auditEditorPanel';
import { AuditPanelBackend, type AuditPanelUi } from './auditPanelBackend';
import { AuditViewProvider } from './auditViewProvider';

function editorUi(): AuditPanelUi {
  return {
    async pickExportTarget(format) {
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.env.HOME ?? '/');
      const uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(base, `mcp-audit-${stamp}.${format}`),
        filters: format === 'csv' ? { CSV: ['csv'] } : { [Strings.jsonLinesFilter]: ['jsonl'] },
      });
      return uri?.scheme === 'file' ? uri.fsPath : undefined;
    },
    async confirmClear() {
      const answer = await vscode.window.showWarningMessage(
        Strings.auditClearConfirm,
        { modal: true },
        Strings.auditClearButton,
      );
      return answer === Strings.auditClearButton;
    },
    notify(level, message) {
      const text = safeText(message, 600);
      if (level === 'error') void vscode.window.showErrorMessage(text);
      else if (level === 'warning') void vscode.window.showWarningMessage(text);
      else void vscode.window.showInformationMessage(text);
    },
  };
}

/** Asks for the collector headers in a password box and stores them (validated) in SecretStorage. */
async function setExportHeaders(exporter: AuditExportController): Promise<void> {
  const text = await vscode.window.showInputBox({
    prompt: Strings.exportHeadersPrompt,
    placeHolder: Strings.exportHeadersPlaceholder,
    password: true,
    ignoreFocusOut: true,
  });
  if (text === undefined) return;
  await exporter.setHeaders(text);
  void vscode.window.showInformationMessage(text.trim() ? Strings.exportHeadersSaved : Strings.exportHeadersRemoved);
}

/** Registers the view provider and the audit commands; everything is pushed to `context.subscriptions`. */
export function registerAuditPanel(
  context: vscode.ExtensionContext,
  trail: AuditTrail,
  logger: Logger,
  exporter: AuditExportController,
): AuditPanelBackend {
  const log = logger.child('audit-panel');
  const backend = new AuditPanelBackend(trail, log, editorUi(), exporter);
  const provider = new AuditViewProvider(context.extensionUri, backend, log);
  const editorPanel = new AuditEditorPanel(context.extensionUri, backend, log);
  const report = (err: unknown): void => {
    const text = trail.redactor.redactText(err instanceof Error ? err.message : Strings.unknownError);
    log.error(`audit command failed: ${text}`);
    void vscode.window.showErrorMessage(Strings.auditCommandFailed(text));
  };
  context.subscriptions.push(
    backend,
    provider,
    editorPanel,
    editorPanel.registerSerializer(),
    vscode.commands.registerCommand(AuditCommands.openInEditor, () => editorPanel.show()),
    vscode.window.registerWebviewViewProvider(Views.auditLog, provider, {
      webviewOptions: { retainContextWhenHidden: false },
    }),
    vscode.commands.registerCommand(AuditCommands.refresh, () => backend.refresh().catch(report)),
    vscode.commands.registerCommand(AuditCommands.verify, async () => {
      try {
        const v = await backend.verify();
        if (v.ok) void vscode.window.showInformationMessage(safeText(v.message, 600));
        else void vscode.window.showErrorMessage(safeText(v.message, 600));
        return v;
      } catch (err) {
        report(err);
        return undefined;
      }
    }),
    vscode.commands.registerCommand(AuditCommands.export, async (format?: 'csv' | 'jsonl') => {
      const picked =
        format ?? (await vscode.window.showQuickPick(['csv', 'jsonl'], { placeHolder: Strings.auditExportPick }));
      if (picked !== 'csv' && picked !== 'jsonl') return undefined;
      return backend.export(picked).catch(report);
    }),
    vscode.commands.registerCommand(AuditCommands.clear, () => backend.clear().catch(report)),
    // takes no arguments: a command link cannot set the headers without the input box
    vscode.commands.registerCommand(AuditCommands.setExportHeaders, () => setExportHeaders(exporter).catch(report)),
  );
  return backend;
}
