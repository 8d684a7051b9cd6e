import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ToolCallResult, ToolInfo } from '../../core/mcp/types';
import { withCancellableProgress } from '../progress';
import { toPlainText } from '../plainText';
import type { CommandServices } from '../services';
import { Strings } from '../strings';
import { pickServer, toolNameFrom } from './pickServer';
import { collectArguments } from './toolArguments';

/**
 * `mcpSecure.callTool`: pick server and tool, collect arguments from the tool's schema, call it
 * (caller `palette`, so the audit trail records who asked) and open the result in a JSON editor.
 * Arguments may be passed directly (server id, tool name, arguments object) to skip the prompts.
 */
export async function callToolCommand(s: CommandServices, arg?: unknown, toolArg?: unknown, argsArg?: unknown): Promise<ToolCallResult> {
  const def = await pickServer(s.registry, arg);
  const tools = await withCancellableProgress(Strings.listingTools(def.name), (signal) => s.actions.listTools(def.id, signal));
  const tool = await pickTool(tools, toolNameFrom(arg, toolArg));
  const args = isRecord(argsArg) ? argsArg : await collectArguments(tool);
  const result = await withCancellableProgress(Strings.callingTool(tool.name, def.name), (signal) =>
    s.actions.callTool(def.id, tool.name, args, 'palette', signal),
  );
  await s.results.show(`${def.id}-${tool.name}`, result.raw);
  await s.results.media.present(result.content);
  if (result.isError) void vscode.window.showWarningMessage(Strings.toolError(toPlainText(tool.name, 80)));
  return result;
}

async function pickTool(tools: readonly ToolInfo[], name: string | undefined): Promise<ToolInfo> {
  if (name !== undefined) {
    const found = tools.find((t) => t.name === name);
    if (!found) throw new McpSecureError('tool_not_found', `No tool named "${toPlainText(name, 80)}".`);
    return found;
  }
  const picked = await vscode.window.showQuickPick(
    tools.map((t) => ({ label: toPlainText(t.title ?? t.name, 80), description: t.name, detail: toPlainText(t.description ?? '', 200), tool: t })),
    { placeHolder: Strings.pickTool, matchOnDetail: true },
  );
  if (!picked) throw new McpSecureError('cancelled', Strings.cancelled);
  return picked.tool;
}


function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
