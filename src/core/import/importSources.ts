import path from 'node:path';
import type { ClientConfigFormat } from './clientConfigs';

/** Where the servers are: one file of one client. */
export type ImportSourceId =
  | 'vscodeWorkspace'
  | 'vscodeUser'
  | 'claudeDesktop'
  | 'cursorUser'
  | 'cursorWorkspace'
  | 'claudeCodeWorkspace'
  | 'claudeCodeUser';

export interface ImportSource {
  readonly id: ImportSourceId;
  readonly format: ClientConfigFormat;
  readonly file: string;
  /** Servers from a workspace file go to workspace settings (restricted in untrusted workspaces). */
  readonly scope: 'user' | 'workspace';
}

/** The directories the sources are found under; each may be unknown (then its sources are not offered). */
export interface ImportRoots {
  readonly platform: NodeJS.Platform;
  /** The user's home directory (`os.homedir()`). */
  readonly home?: string;
  /** VS Code's `User` folder of the running editor (holds `settings.json` and the user-level `mcp.json`). */
  readonly vscodeUserDir?: string;
  /** The open workspace folder. */
  readonly workspaceFolder?: string;
  /** `XDG_CONFIG_HOME` on Linux (default `~/.config`). */
  readonly xdgConfigHome?: string;
  /** `%APPDATA%` on Windows. */
  readonly appData?: string;
}

/**
 * Every file an MCP client keeps its servers in, for these roots, most specific first. Paths follow
 * each client's documentation: Claude Desktop `~/Library/Application Support/Claude/` (macOS),
 * `%APPDATA%\Claude\` (Windows), `$XDG_CONFIG_HOME/Claude/` (Linux); Cursor `~/.cursor/mcp.json` and
 * `<folder>/.cursor/mcp.json`; Claude Code `<folder>/.mcp.json` and `~/.claude.json`.
 */
export function importSources(roots: ImportRoots): ImportSource[] {
  const p = roots.platform === 'win32' ? path.win32 : path.posix;
  const out: ImportSource[] = [];
  const add = (
    id: ImportSourceId,
    format: ClientConfigFormat,
    file: string | undefined,
    scope: 'user' | 'workspace',
  ) => {
    if (file) out.push({ id, format, file, scope });
  };
  const folder = roots.workspaceFolder;
  const home = roots.home;
  add('vscodeWorkspace', 'vscode', folder && p.join(folder, '.vscode', 'mcp.json'), 'workspace');
  add('cursorWorkspace', 'cursor', folder && p.join(folder, '.cursor', 'mcp.json'), 'workspace');
  add('claudeCodeWorkspace', 'claudeCode', folder && p.join(folder, '.mcp.json'), 'workspace');
  add('vscodeUser', 'vscode', roots.vscodeUserDir && p.join(roots.vscodeUserDir, 'mcp.json'), 'user');
  add('claudeDesktop', 'claudeDesktop', claudeDesktopDir(roots, p), 'user');
  add('cursorUser', 'cursor', home && p.join(home, '.cursor', 'mcp.json'), 'user');
  add('claudeCodeUser', 'claudeCodeUser', home && p.join(home, '.claude.json'), 'user');
  return out;
}

function claudeDesktopDir(roots: ImportRoots, p: typeof path.posix): string | undefined {
  const file = 'claude_desktop_config.json';
  if (roots.platform === 'win32') return roots.appData && p.join(roots.appData, 'Claude', file);
  if (roots.platform === 'darwin')
    return roots.home && p.join(roots.home, 'Library', 'Application Support', 'Claude', file);
  const config = roots.xdgConfigHome || (roots.home && p.join(roots.home, '.config'));
  return config && p.join(config, 'Claude', file);
}

/**
 * VS Code's `User` folder from the extension's global storage folder, which the editor places at
 * `<user data dir>/User/globalStorage/<extension id>`: derived, so code-server, Insiders, VSCodium and
 * portable installs (each with their own user data dir) are found without knowing them.
 */
export function vscodeUserDirFromGlobalStorage(
  globalStoragePath: string,
  platform: NodeJS.Platform,
): string | undefined {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const storage = p.dirname(globalStoragePath);
  if (p.basename(storage) !== 'globalStorage') return undefined;
  return p.dirname(storage);
}
