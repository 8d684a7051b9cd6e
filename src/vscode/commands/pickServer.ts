import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ServerDefinition } from '../../core/mcp/serverDefinition';
import type { ServerRegistry } from '../serverRegistry';
import { safeText } from '../../core/common/safeText';
import { Strings } from '../strings';

/**
 * Resolves a command's target server: the preselected id (a tree node or an id argument, see
 * `preselection`), or — from the palette — a quick pick over the servers `filter` accepts.
 */
export async function pickServer(
  registry: ServerRegistry,
  id: string | undefined,
  filter: (d: ServerDefinition) => boolean = () => true,
): Promise<ServerDefinition> {
  if (id !== undefined) {
    const def = registry.get(id);
    if (!def) throw new McpSecureError('invalid_server_definition', Strings.unknownServer(id));
    if (!filter(def)) throw new McpSecureError('invalid_server_definition', Strings.commandNotApplicable(def.name));
    return def;
  }
  const candidates = registry.servers().filter(filter);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(Strings.noServers);
    throw new McpSecureError('cancelled', Strings.noServers);
  }
  if (candidates.length === 1 && candidates[0]) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((def) => ({
      label: safeText(def.name, 80),
      description: safeText(def.transport === 'http' ? def.url : def.command, 200),
      detail: safeText(def.id, 80),
      def,
    })),
    { placeHolder: Strings.pickServer },
  );
  if (!picked) throw new McpSecureError('cancelled', Strings.cancelled);
  return picked.def;
}
