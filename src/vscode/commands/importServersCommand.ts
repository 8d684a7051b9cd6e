import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import { parseServerDefinition } from '../../core/mcp/serverDefinition';
import { convertMcpJson, stripJsonComments } from '../mcpJsonImport';
import type { CommandServices } from '../services';
import { Strings } from '../strings';

/**
 * `mcpSecure.importServers`: reads `.vscode/mcp.json` of the first workspace folder (async, through
 * `workspace.fs`), converts its servers and appends the valid ones to WORKSPACE settings — they came
 * from the workspace, so untrusted-workspace restrictions and the stdio launch confirmation apply.
 * The servers to add are listed in a confirmation first.
 */
export async function importServersCommand(s: CommandServices): Promise<number> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage(Strings.importNoFile);
    return 0;
  }
  const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    void vscode.window.showInformationMessage(Strings.importNoFile);
    return 0;
  }
  let document: unknown;
  try {
    document = JSON.parse(stripJsonComments(text));
  } catch (cause) {
    throw new McpSecureError('invalid_server_definition', Strings.mcpJsonInvalid, { cause });
  }
  const existing = new Set(s.registry.servers().map((d) => d.id));
  const { entries, skipped } = convertMcpJson(document, existing);
  const valid = entries.filter((e) => {
    try {
      parseServerDefinition(e);
      return true;
    } catch {
      skipped.push(String(e.name));
      return false;
    }
  });
  if (valid.length === 0) {
    void vscode.window.showInformationMessage(Strings.importNothing);
    return 0;
  }
  // The command is reachable from `command:` links: it writes settings only after the user said so.
  const names = valid.map((e) => `${String(e.name ?? e.id)} (${String(e.transport)}: ${String(e.url ?? e.command)})`);
  const confirmed = await s.confirm({
    kind: 'importServers',
    names,
    message: Strings.importConfirm(valid.length),
    detail: Strings.importDetail(names),
    action: Strings.importAction,
  });
  if (!confirmed) throw new McpSecureError('cancelled', Strings.cancelled);
  await s.registry.add(valid, 'workspace');
  s.logger.info(`imported ${valid.length} server(s) from .vscode/mcp.json; skipped ${skipped.length}`);
  const note = skipped.length ? ` ${Strings.importSkipped(skipped.length)}` : '';
  void vscode.window.showInformationMessage(`${Strings.importedServers(valid.length)}${note}`);
  return valid.length;
}
