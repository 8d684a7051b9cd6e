import { createHash } from 'node:crypto';
import { BridgeEnv } from './bridgeHandshake';

/**
 * What VS Code runs for one gateway definition (an `McpStdioServerDefinition`): the editor's own
 * runtime (`process.execPath`: Node in code-server, Electron in desktop VS Code, hence
 * `ELECTRON_RUN_AS_NODE=1`) with the bundled bridge script.
 *
 * VS Code starts the child with `{...process.env, ...definition.env}` of the extension host, and a
 * `null` value removes a variable. The extension host's environment carries IPC handles
 * (`VSCODE_IPC_HOOK_CLI`, …), the code-server session socket and whatever else the host was given, none
 * of which the bridge needs: every inherited variable outside {@link KEPT_VARIABLES} is set to `null`.
 */
export interface BridgeLaunch {
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string | null>;
}

/** Inherited variables the bridge keeps (compared case-insensitively: Windows names are). */
export const KEPT_VARIABLES: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'USERNAME',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TMP',
  'TEMP',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'USERPROFILE',
  'HOMEDRIVE',
  'HOMEPATH',
  'SYSTEMDRIVE',
];
const KEPT = new Set(KEPT_VARIABLES);

export interface BridgeLaunchInput {
  /** `process.execPath` of the extension host. */
  readonly execPath: string;
  /** Absolute path of the bundled bridge (dist/bridge.js). */
  readonly bridgeScript: string;
  /** Socket path or pipe name. */
  readonly endpoint: string;
  readonly secret: string;
  readonly serverId: string;
  /** The extension host's environment (what VS Code would otherwise pass on). */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
}

export function bridgeLaunch(input: BridgeLaunchInput): BridgeLaunch {
  const env: Record<string, string | null> = {};
  for (const name of Object.keys(input.hostEnv)) {
    const upper = name.toUpperCase();
    if (!KEPT.has(upper) && !upper.startsWith('LC_')) env[name] = null;
  }
  env.ELECTRON_RUN_AS_NODE = '1';
  env[BridgeEnv.socket] = input.endpoint;
  env[BridgeEnv.secret] = input.secret;
  env[BridgeEnv.server] = input.serverId;
  return { command: input.execPath, args: [input.bridgeScript], env };
}

/** VS Code prefixes tool names with `mcp_` + the first 13 characters of `serverInfo.name` (lowercased, `[^a-z0-9_.-]` → `_`). */
export const TOOL_PREFIX_CHARS = 13;

/**
 * A short, stable, unique `serverInfo.name` per server id, so that VS Code's tool names
 * (`mcp_<name>_<tool>`) differ between servers and do not change from one start to the next.
 * Ids are taken in the given (settings) order; a clash within the first 13 characters gets a `-2`, `-3`, …
 */
export function chatAliases(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    const base = id
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '_')
      .slice(0, TOOL_PREFIX_CHARS);
    let alias = base;
    for (let n = 2; used.has(alias); n++) alias = `${base.slice(0, TOOL_PREFIX_CHARS - String(n).length - 1)}-${n}`;
    used.add(alias);
    out.set(id, alias);
  }
  return out;
}

/** A version string for the definition that changes when the server's configuration changes (never includes secrets). */
export function definitionVersion(material: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(material) ?? '', 'utf8')
    .digest('hex')
    .slice(0, 12);
}
