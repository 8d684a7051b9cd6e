import { McpSecureError } from '../errors';
import { stripJsonComments } from './jsonc';

/**
 * The MCP configuration files of other clients, as documented by each:
 * - `vscode`: VS Code's `mcp.json` (user-level `User/mcp.json` and the workspace's `.vscode/mcp.json`):
 *   JSONC, `{ "servers": { name: { type: "stdio" | "http" | "sse", command, args, env, cwd, url, headers } } }`;
 * - `claudeDesktop`: Claude Desktop's `claude_desktop_config.json`: `{ "mcpServers": { name: { command, args, env } } }`;
 * - `cursor`: Cursor's `~/.cursor/mcp.json` and `.cursor/mcp.json`: `mcpServers` with stdio or `url` + `headers`;
 * - `claudeCode`: Claude Code's project `.mcp.json`: `mcpServers` with `type` `stdio` | `http` | `sse`;
 * - `claudeCodeUser`: Claude Code's `~/.claude.json` (user-scope servers in its top-level `mcpServers`).
 */
export type ClientConfigFormat = 'vscode' | 'claudeDesktop' | 'cursor' | 'claudeCode' | 'claudeCodeUser';

/** One server as written in a client's file: its name (the object key) and its raw, untrusted value. */
export interface ClientConfigEntry {
  readonly name: string;
  readonly raw: unknown;
}

/** Files larger than this are refused (`~/.claude.json` also holds Claude Code's history, so it may be large). */
export const MAX_CLIENT_CONFIG_BYTES = 16 * 1024 * 1024;

/** Which top-level key holds the servers in each format. */
const SERVERS_KEY: Readonly<Record<ClientConfigFormat, string>> = {
  vscode: 'servers',
  claudeDesktop: 'mcpServers',
  cursor: 'mcpServers',
  claudeCode: 'mcpServers',
  claudeCodeUser: 'mcpServers',
};

/** JSONC is accepted where the client itself accepts comments (VS Code and Cursor). */
const ALLOWS_COMMENTS: Readonly<Record<ClientConfigFormat, boolean>> = {
  vscode: true,
  claudeDesktop: false,
  cursor: true,
  claudeCode: false,
  claudeCodeUser: false,
};

function malformed(why: string, cause?: unknown): McpSecureError {
  return new McpSecureError('invalid_import_file', `The configuration file ${why}.`, { cause });
}

/**
 * Read the server entries of a client's configuration file. A file without the servers key has no
 * servers; a file that is not JSON (or JSONC where the client allows it), whose top level is not an
 * object, or whose servers key is not an object is refused with `invalid_import_file` (the message
 * never quotes the file: it may hold credentials).
 */
export function readClientConfig(format: ClientConfigFormat, text: string): ClientConfigEntry[] {
  if (text.length > MAX_CLIENT_CONFIG_BYTES) throw malformed('is too large to be an MCP configuration');
  let document: unknown;
  try {
    document = JSON.parse(ALLOWS_COMMENTS[format] ? stripJsonComments(text) : text);
  } catch (cause) {
    throw malformed('is not valid JSON', cause);
  }
  if (!isRecord(document)) throw malformed('does not hold a JSON object');
  const key = SERVERS_KEY[format];
  const servers = document[key];
  if (servers === undefined) return [];
  if (!isRecord(servers)) throw malformed(`has a "${key}" entry that is not an object`);
  return Object.entries(servers).map(([name, raw]) => ({ name, raw }));
}

/**
 * The same document with the named servers removed (for "stop using the original definition").
 * Comments are not kept: the caller backs the original file up first and says so.
 */
export function removeClientConfigServers(format: ClientConfigFormat, text: string, names: readonly string[]): string {
  readClientConfig(format, text);
  const document = JSON.parse(ALLOWS_COMMENTS[format] ? stripJsonComments(text) : text) as Record<string, unknown>;
  const key = SERVERS_KEY[format];
  const servers = { ...(document[key] as Record<string, unknown>) };
  for (const name of names) delete servers[name];
  return `${JSON.stringify({ ...document, [key]: servers }, null, 2)}\n`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
