import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ServerDefinition } from '../../core/mcp/serverDefinition';
import type { ServerRegistry } from '../serverRegistry';
import { Strings } from '../strings';

/**
 * Resolves a command's target server: a tree node (`{ serverId }`), a server id string (tests,
 * keybindings), or — from the palette — a quick pick over the servers `filter` accepts.
 */
export async function pickServer(registry: ServerRegistry, arg: unknown, filter: (d: ServerDefinition) => boolean = () => true): Promise<ServerDefinition> {
  const id = typeof arg === 'string' ? arg : isNodeWithServer(arg) ? arg.serverId : undefined;
  if (id !== undefined) {
    const def = registry.get(id);
    if (!def) throw new McpSecureError('invalid_server_definition', Strings.unknownServer(id));
    return def;
  }
  const candidates = registry.servers().filter(filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(Strings.noServers);
    throw new McpSecureError('cancelled', Strings.noServers);
  }
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((def) => ({ label: def.name, description: def.transport === 'http' ? def.url : def.command, detail: def.id, def })),
    { placeHolder: Strings.pickServer },
  );
  if (!picked) throw new McpSecureError('cancelled', Strings.cancelled);
  return picked.def;
}

function isNodeWithServer(arg: unknown): arg is { serverId: string } {
  return typeof arg === 'object' && arg !== null && typeof (arg as { serverId?: unknown }).serverId === 'string';
}

/** A tool name passed by a tree node (`{ tool: { name } }`) or as a second string argument. */
export function toolNameFrom(arg: unknown, second: unknown): string | undefined {
  if (typeof second === 'string') return second;
  const tool = typeof arg === 'object' && arg !== null ? (arg as { tool?: { name?: unknown } }).tool : undefined;
  return typeof tool?.name === 'string' ? tool.name : undefined;
}
