import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ToolCallResult, ToolInfo } from '../../core/mcp/types';
import { withCancellableProgress } from '../progress';
import { safeJson, safeText } from '../../core/common/safeText';
import type { CommandServices } from '../services';
import { Strings } from '../strings';
import type { Preselection } from './commandArguments';
import { pickServer } from './pickServer';
import { collectArguments } from './toolArguments';
import { toolProgressReporter } from '../toolProgress';

/**
 * `mcpSecure.callTool`: pick server and tool, collect arguments from the tool's schema, call it
 * (caller `palette`, so the audit trail records who asked) under a cancellable notification showing
 * the server's progress, and open the result in a JSON editor.
 * A server and a tool may be preselected (tree node, keybinding, link). Arguments handed to the command
 * are never sent as they are: the user sees them in full (`safeJson`) and confirms the call first.
 */
export async function callToolCommand(s: CommandServices, pre: Preselection): Promise<ToolCallResult> {
  const def = await pickServer(s.registry, pre.serverId);
  const tools = await withCancellableProgress(Strings.listingTools(def.name), (signal) =>
    s.actions.listTools(def.id, signal),
  );
  const tool = await pickTool(tools, pre.tool);
  const args = pre.toolArguments
    ? await confirmSupplied(s, def.id, def.name, tool.name, pre.toolArguments)
    : await collectArguments(tool);
  // Cancel in the notification aborts the call: the SDK sends `notifications/cancelled` for it, or, for
  // a tool that runs as a task (MCP 2025-11-25 §Utilities/Tasks), `tasks/cancel`; the notification then
  // shows the task's status.
  const title =
    tool.taskSupport === 'required'
      ? Strings.runningToolTask(tool.name, def.name)
      : Strings.callingTool(tool.name, def.name);
  const result = await s.progress(title, (signal, report) =>
    s.actions.callTool(def.id, tool.name, args, 'palette', signal, toolProgressReporter(report), (task) =>
      report({ message: Strings.toolTaskStatus(task.status, task.statusMessage ?? '') }),
    ),
  );
  await s.results.show(`${def.id}-${tool.name}`, result.raw);
  await s.results.media.present(result.content);
  if (result.isError) void vscode.window.showWarningMessage(Strings.toolError(safeText(tool.name, 80)));
  return result;
}

async function pickTool(tools: readonly ToolInfo[], name: string | undefined): Promise<ToolInfo> {
  if (name !== undefined) {
    const found = tools.find((t) => t.name === name);
    if (!found) throw new McpSecureError('tool_not_found', Strings.noToolNamed(name));
    return found;
  }
  const picked = await vscode.window.showQuickPick(
    tools.map((t) => ({
      label: safeText(t.title ?? t.name, 80),
      description: safeText(t.name, 80),
      detail: safeText(t.description ?? '', 200),
      tool: t,
    })),
    { placeHolder: Strings.pickTool, matchOnDetail: true },
  );
  if (!picked) throw new McpSecureError('cancelled', Strings.cancelled);
  return picked.tool;
}

async function confirmSupplied(
  s: CommandServices,
  serverId: string,
  server: string,
  tool: string,
  args: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const copy = structuredClone(args) as Record<string, unknown>;
  const confirmed = await s.confirm({
    kind: 'callTool',
    serverId,
    tool,
    args: copy,
    message: Strings.callToolConfirm(tool, server),
    detail: Strings.callToolDetail(safeJson(copy)),
    action: Strings.callToolAction,
  });
  if (!confirmed) throw new McpSecureError('cancelled', Strings.cancelled);
  return copy;
}
