import * as vscode from 'vscode';
import type { HeldBackTool } from '../../core/gateway/toolPins';
import { pinnedForm } from '../../core/gateway/toolPins';
import { GatewayCommands } from '../constants';
import { safeText } from '../../core/common/safeText';
import type { ServerRegistry } from '../serverRegistry';
import { Strings } from '../strings';
import type { ToolPinning } from './toolPinning';

/** Read-only documents with the approved and the offered definition of a held-back tool. */
const PIN_SCHEME = 'mcp-secure-pin';

/**
 * "MCP Secure: Review Changed Tool Definitions": pick a tool held back from chat, compare the approved
 * definition with the one the server offers now in a diff editor (VS Code highlights invisible
 * characters there), then accept it for chat or leave it held back.
 */
export function registerReviewToolsCommand(
  pins: () => ToolPinning | undefined,
  registry: ServerRegistry,
  released: (serverId: string) => void,
): vscode.Disposable {
  const documents = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent: (uri) => documents.get(uri.toString()) ?? '',
  };
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(PIN_SCHEME, provider),
    vscode.commands.registerCommand(GatewayCommands.reviewTools, async () => {
      const pinning = pins();
      const held = pinning?.heldBack() ?? [];
      if (!pinning || held.length === 0) return void vscode.window.showInformationMessage(Strings.noToolsHeldBack);
      const name = (id: string): string => safeText(registry.get(id)?.name ?? id, 80);
      const pick = await vscode.window.showQuickPick(
        held.map((h) => ({ label: `${name(h.serverId)}: ${safeText(h.tool.name, 80)}`, detail: describe(h), h })),
        { title: Strings.pickHeldBackTool },
      );
      if (!pick) return;
      const h = pick.h;
      const stamp = Date.now().toString(36);
      const left = vscode.Uri.from({ scheme: PIN_SCHEME, path: `/${h.serverId}/approved/${stamp}.json` });
      const right = vscode.Uri.from({ scheme: PIN_SCHEME, path: `/${h.serverId}/offered/${stamp}.json` });
      documents.set(left.toString(), JSON.stringify(pinning.pinned(h.serverId, h.tool.name) ?? {}, null, 2));
      documents.set(right.toString(), JSON.stringify(pinnedForm(h.tool), null, 2));
      await vscode.commands.executeCommand(
        'vscode.diff',
        left,
        right,
        Strings.pinDiffTitle(name(h.serverId), safeText(h.tool.name, 80)),
      );
      const answer = await vscode.window.showWarningMessage(
        Strings.acceptToolTitle(name(h.serverId), safeText(h.tool.name, 80)),
        { modal: true, detail: Strings.acceptToolDetail(h.verdict.hidden.join(' ')) },
        Strings.acceptTool,
      );
      if (answer === Strings.acceptTool && (await pinning.accept(h.serverId, h.tool.name))) released(h.serverId);
    }),
  );
}

function describe(h: HeldBackTool): string {
  const parts: string[] = [h.verdict.kind === 'changed' ? Strings.heldBackChanged : Strings.heldBackNew];
  if (h.verdict.hidden.length) parts.push(Strings.heldBackHidden(h.verdict.hidden.join(' ')));
  return parts.join(' · ');
}
