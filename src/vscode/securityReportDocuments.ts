import * as vscode from 'vscode';

const SCHEME = 'mcp-secure-report';
const MAX_KEPT = 20;

/**
 * Security reports as read-only Markdown documents (`mcp-secure-report:` URIs): copyable, searchable,
 * never "dirty" (closing asks nothing), and shown rendered in the Markdown preview. Bounded: only the
 * most recent reports are kept in memory.
 */
export class SecurityReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);
  private counter = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Opens the report's source (for copying) and its rendered preview beside it; returns the document URI. */
  async show(serverId: string, markdown: string): Promise<vscode.Uri> {
    const safeName = serverId.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'server';
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${++this.counter}/security-report-${safeName}.md` });
    this.contents.set(uri.toString(), markdown);
    if (this.contents.size > MAX_KEPT) this.contents.delete(this.contents.keys().next().value as string);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'markdown');
    await vscode.window.showTextDocument(document, { preview: true });
    // The built-in Markdown extension renders it; without it the source stays readable on its own.
    await Promise.resolve(vscode.commands.executeCommand('markdown.showPreviewToSide', uri)).catch(() => undefined);
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.contents.clear();
  }
}
