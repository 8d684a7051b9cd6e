import * as os from 'node:os';
import * as vscode from 'vscode';
import { isMcpSecureError } from '../core/errors';
import { readClientConfig, removeClientConfigServers, type ClientConfigEntry } from '../core/import/clientConfigs';
import {
  importSources,
  vscodeUserDirFromGlobalStorage,
  type ImportRoots,
  type ImportSource,
} from '../core/import/importSources';
import type { CommandServices } from './services';

/** A source whose file exists: its entries, or why it cannot be read. */
export type FoundSource =
  | { readonly source: ImportSource; readonly entries: readonly ClientConfigEntry[]; readonly text: string }
  | { readonly source: ImportSource; readonly error: string };

/**
 * Where to look: the real home and config folders, VS Code's `User` folder derived from the
 * extension's global storage (so code-server and other editors' user data dirs are found), the
 * workspace folder only when it is trusted (its files could launch programs) and on disk; in test
 * mode the test may point any of them elsewhere.
 */
export function importRoots(s: CommandServices): ImportRoots {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const defaults: ImportRoots = {
    platform: process.platform,
    home: os.homedir(),
    vscodeUserDir: vscodeUserDirFromGlobalStorage(s.context.globalStorageUri.fsPath, process.platform),
    workspaceFolder: vscode.workspace.isTrusted && folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
    xdgConfigHome: process.env.XDG_CONFIG_HOME,
    appData: process.env.APPDATA,
  };
  const override = s.importRootsOverride?.();
  return override ? { ...defaults, ...override } : defaults;
}

/** The sources whose file exists, read and parsed (files are read through `workspace.fs`, asynchronously). */
export async function findSources(roots: ImportRoots): Promise<FoundSource[]> {
  const found = await Promise.all(importSources(roots).map(readSource));
  return found.filter((f): f is FoundSource => f !== undefined);
}

async function readSource(source: ImportSource): Promise<FoundSource | undefined> {
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(source.file)));
  } catch {
    return undefined;
  }
  try {
    return { source, entries: readClientConfig(source.format, text), text };
  } catch (err) {
    return { source, error: isMcpSecureError(err) ? err.message : 'unreadable' };
  }
}

/**
 * Remove imported servers from the original file, after copying it next to itself
 * (`<file>.<time>.bak`). Only re-reads and rewrites the file the servers came from.
 */
export async function retireFromOriginal(found: FoundSource, names: readonly string[], backup: string): Promise<void> {
  const uri = vscode.Uri.file(found.source.file);
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const next = removeClientConfigServers(found.source.format, text, names);
  await vscode.workspace.fs.copy(uri, vscode.Uri.file(backup), { overwrite: false });
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(next));
}

/** Backup name beside the original: `mcp.json.20261205T010203Z.bak`. */
export function backupPathFor(file: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${file}.${stamp}.bak`;
}
