import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import { planImport, type ImportPlan } from '../../core/import/importPlan';
import type { ImportSourceId } from '../../core/import/importSources';
import { backupPathFor, findSources, importRoots, retireFromOriginal, type FoundSource } from '../importFiles';
import { previewText, skipLine, sourceItems } from '../importPreview';
import type { CommandServices } from '../services';
import { Strings } from '../strings';

const WORKSPACE_SOURCES: readonly string[] = ['vscodeWorkspace', 'cursorWorkspace', 'claudeCodeWorkspace'];

/**
 * `mcpSecure.importServers`: brings in the servers other MCP clients already know (VS Code's
 * user-level and workspace `mcp.json`, Claude Desktop, Cursor, Claude Code). Pick a source (with
 * how many servers each holds), read a preview of what is added and what is skipped and why, confirm.
 * Credentials in `env` / `headers` go to secret storage, settings only name them. Servers from a
 * workspace file go to WORKSPACE settings (restricted when the folder is untrusted; workspace files
 * are not even read then). Afterwards, the original definition can be removed from VS Code's own
 * `mcp.json` (backed up first, asked first); other apps' files are never edited, only named.
 * Reachable from `command:` links: `{ importSource }` only preselects, the preview always asks.
 */
export async function importServersCommand(s: CommandServices, preselected?: string): Promise<number> {
  if (preselected && WORKSPACE_SOURCES.includes(preselected) && !vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage(Strings.importUntrustedWorkspace);
    return 0;
  }
  const found = await findSources(importRoots(s));
  const chosen = preselected ? found.find((f) => f.source.id === preselected) : await pickSource(found);
  if (!chosen) {
    if (preselected) void vscode.window.showInformationMessage(Strings.importSourceMissing(label(preselected)));
    else if (found.length === 0) void vscode.window.showInformationMessage(Strings.importNoSources);
    return 0;
  }
  if ('error' in chosen) throw new McpSecureError('invalid_import_file', `${label(chosen.source.id)}: ${chosen.error}`);
  const plan = planImport(chosen.entries, s.registry.servers());
  if (plan.additions.length === 0) {
    const lines = plan.skipped.map((k) => skipLine(k.name, k.reason, k.detail));
    void vscode.window.showInformationMessage(
      [Strings.importPreviewNothing(label(chosen.source.id)), ...lines].join('\n'),
    );
    return 0;
  }
  // Declining the preview is a choice, not a failure: nothing is written and nothing is reported.
  if (!(await confirmPreview(s, chosen, plan))) return 0;
  await addServers(s, chosen, plan);
  const names = plan.additions.map((a) => a.name);
  void vscode.window.showInformationMessage(Strings.importDone(names.length, label(chosen.source.id)));
  await offerToRetire(s, chosen, names);
  return names.length;
}

async function pickSource(found: readonly FoundSource[]): Promise<FoundSource | undefined> {
  if (found.length === 0) return undefined;
  const picked = await vscode.window.showQuickPick(sourceItems(found), {
    title: Strings.importPickTitle,
    placeHolder: Strings.importPickPlaceholder,
    matchOnDescription: true,
  });
  return picked?.found;
}

/** The preview lists every server to add and every one skipped with the reason; adding needs the user's yes. */
async function confirmPreview(s: CommandServices, chosen: FoundSource, plan: ImportPlan): Promise<boolean> {
  const { message, detail } = previewText(chosen.source, plan);
  const confirmed = await s.confirm({
    kind: 'importServers',
    names: plan.additions.map((a) => a.name),
    source: chosen.source.id,
    skipped: plan.skipped.map((k) => ({ name: k.name, reason: k.reason })),
    message,
    detail,
    action: Strings.importAction,
  });
  return confirmed;
}

/** Secrets first (a failed secret write adds nothing), then the settings entries, which only name them. */
async function addServers(s: CommandServices, chosen: FoundSource, plan: ImportPlan): Promise<void> {
  const withSecrets = plan.additions.filter((a) => Object.keys(a.secrets).length > 0);
  try {
    for (const a of withSecrets) await s.secrets.setDefinitionSecrets(a.def, a.secrets);
    await s.registry.add(
      plan.additions.map((a) => ({ ...a.entry })),
      chosen.source.scope,
    );
  } catch (err) {
    for (const a of withSecrets) await s.secrets.forget(a.def.id).catch(() => undefined);
    throw err;
  }
  s.logger.info(
    `imported ${plan.additions.length} server(s) from ${chosen.source.id}; skipped ${plan.skipped.length}; ${withSecrets.length} with stored credentials`,
  );
}

/**
 * Chat should not see the same tools twice. VS Code's mcp.json has no "disabled" field (a server's
 * enabled state is the editor's own state, toggled in its MCP UI, not in the file), so the imported
 * entries can only be removed from it: asked first, the file copied beside itself first. Other apps'
 * files (also the workspace `.mcp.json`, which Claude Code and VS Code's Copilot format share) are
 * never edited, only named.
 */
async function offerToRetire(s: CommandServices, chosen: FoundSource, names: readonly string[]): Promise<void> {
  const source = chosen.source;
  if (source.format !== 'vscode') {
    void vscode.window.showInformationMessage(Strings.importRetireOtherApp(label(source.id), names));
    return;
  }
  const backup = backupPathFor(source.file, new Date());
  const retire = await s.confirm({
    kind: 'importRetireOriginal',
    source: source.id,
    file: source.file,
    names,
    message: Strings.importRetireMessage(names.length, source.file),
    detail: Strings.importRetireDetail(backup),
    action: Strings.importRetireAction,
  });
  if (!retire) return;
  await retireFromOriginal(chosen, names, backup);
  s.logger.info(`removed ${names.length} imported server(s) from ${source.id}; backup written`);
  void vscode.window.showInformationMessage(Strings.importRetired(names.length, backup));
}

function label(id: ImportSourceId | string): string {
  return Strings.importSourceLabel(id);
}
