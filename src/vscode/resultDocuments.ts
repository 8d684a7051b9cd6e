import * as vscode from 'vscode';
import { ResultMedia } from './resultMedia';

const SCHEME = 'mcp-secure-result';
const MAX_KEPT = 50;

/**
 * Tool results as read-only JSON documents (`mcp-secure-result:` URIs): shown in a normal editor with
 * syntax colouring and search, never "dirty", so closing the window asks nothing. Bounded: only the
 * most recent results are kept in memory.
 */
export class ResultDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);
  private counter = 0;
  /** Images and links in results (resultMedia.ts). */
  readonly media = new ResultMedia();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  async show(title: string, value: unknown): Promise<void> {
    const safeTitle = title.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'result';
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${++this.counter}/${safeTitle}.json` });
    this.contents.set(uri.toString(), JSON.stringify(value, null, 2));
    if (this.contents.size > MAX_KEPT) this.contents.delete(this.contents.keys().next().value as string);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'json');
    await vscode.window.showTextDocument(document, { preview: true });
  }

  dispose(): void {
    this.media.dispose();
    this.registration.dispose();
    this.contents.clear();
  }
}
