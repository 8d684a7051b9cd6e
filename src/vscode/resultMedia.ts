import * as vscode from 'vscode';
import { assertSafeUrl } from '../core/common/urlPolicy';
import { safeText } from '../core/common/safeText';
import { Strings } from './strings';

const SCHEME = 'mcp-secure-media';
const MAX_KEPT = 20;
/** Raster formats the built-in image preview shows. SVG is left out: it is a document that can carry script. */
const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
};

/**
 * Non-text tool results as a user expects them (MCP 2025-11-25 §Tool Result): an image opens in the
 * editor's image preview, served read-only from memory (`mcp-secure-media:`, bounded, never written to
 * disk); a resource link is offered with an "Open Link" button that opens it only when it is https, http
 * on loopback, or a file — never through a shell, never as a markdown link.
 */
export class ResultMedia implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly files = new Map<string, Uint8Array>();
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  // Registered last: the editor reads `onDidChangeFile` at registration.
  private readonly registration = vscode.workspace.registerFileSystemProvider(SCHEME, this, {
    isReadonly: true,
    isCaseSensitive: true,
  });
  private counter = 0;

  /** Opens each image; offers each link. Returns the URIs of the images opened. */
  async present(content: readonly Record<string, unknown>[]): Promise<vscode.Uri[]> {
    const opened: vscode.Uri[] = [];
    for (const block of content) {
      if (block.type === 'image') {
        const uri = this.keep(block);
        if (uri) {
          await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
          opened.push(uri);
        }
      } else if (block.type === 'resource_link' && typeof block.uri === 'string') {
        void this.offerLink(block.uri, typeof block.name === 'string' ? block.name : block.uri);
      }
    }
    return opened;
  }

  private keep(block: Record<string, unknown>): vscode.Uri | undefined {
    const ext = typeof block.mimeType === 'string' ? IMAGE_EXTENSIONS[block.mimeType.toLowerCase()] : undefined;
    if (!ext || typeof block.data !== 'string') return undefined;
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${++this.counter}/image.${ext}` });
    this.files.set(uri.path, Buffer.from(block.data, 'base64'));
    if (this.files.size > MAX_KEPT) this.files.delete(this.files.keys().next().value as string);
    return uri;
  }

  private async offerLink(raw: string, name: string): Promise<void> {
    const target = openableLink(raw);
    const label = Strings.toolReturnedLink(safeText(name, 120), safeText(raw, 300));
    if (!target) {
      await vscode.window.showInformationMessage(label);
      return;
    }
    const pick = await vscode.window.showInformationMessage(label, Strings.openLink);
    if (pick !== Strings.openLink) return;
    if (target.scheme === 'file') await vscode.commands.executeCommand('vscode.open', target);
    else await vscode.env.openExternal(target);
  }

  // ---- read-only FileSystemProvider ----
  stat(uri: vscode.Uri): vscode.FileStat {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return {
      type: vscode.FileType.File,
      ctime: 0,
      mtime: 0,
      size: data.byteLength,
      permissions: vscode.FilePermission.Readonly,
    };
  }
  readFile(uri: vscode.Uri): Uint8Array {
    const data = this.files.get(uri.path);
    if (!data) throw vscode.FileSystemError.FileNotFound(uri);
    return data;
  }
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.registration.dispose();
    this.changes.dispose();
    this.files.clear();
  }
}

/** A link the editor may open: https, http on loopback (the URL policy), or a file URI. */
function openableLink(raw: string): vscode.Uri | undefined {
  try {
    if (raw.startsWith('file:')) return vscode.Uri.parse(raw, true);
    return vscode.Uri.parse(assertSafeUrl(raw, 'resource link').href, true);
  } catch {
    return undefined;
  }
}
