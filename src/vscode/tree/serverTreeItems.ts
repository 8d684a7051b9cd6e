import * as vscode from 'vscode';
import type { ConnectionState } from '../../core/mcp/connectionState';
import { Commands, ItemContext } from '../constants';
import { safeLines, safeText } from '../../core/common/safeText';
import { Strings } from '../strings';
import { stateLabel, type TreeSources } from './serverTreeModel';
import { nodeId, type DetailRole, type TreeNode } from './treeNodes';

const DETAIL_ICONS: Record<DetailRole, string> = {
  state: 'pulse',
  transport: 'plug',
  human: 'person',
  agent: 'robot',
  server: 'server',
  expiry: 'watch',
  command: 'terminal',
  chat: 'comment-discussion',
};

/**
 * Renders one model node as a TreeItem. Every label, description and tooltip carries text from servers,
 * tokens or settings (names, tool names, account claims, scopes, URLs, error text), so all of them pass
 * through `safeText` here, in one place, whatever `render` produced.
 */
export async function toTreeItem(sources: TreeSources, node: TreeNode): Promise<vscode.TreeItem> {
  const item = await render(sources, node);
  item.id = nodeId(node);
  return withSafeText(item);
}

const LABEL_MAX = 120;
const DESCRIPTION_MAX = 300;

/** Plain text only: a MarkdownString tooltip would render links, so tooltips become plain strings too. */
export function withSafeText<T extends Pick<vscode.TreeItem, 'label' | 'description' | 'tooltip'>>(item: T): T {
  const label = typeof item.label === 'string' ? item.label : item.label?.label;
  if (label !== undefined) item.label = safeText(label, LABEL_MAX);
  if (typeof item.description === 'string') item.description = safeText(item.description, DESCRIPTION_MAX);
  if (item.tooltip !== undefined)
    item.tooltip = safeLines(typeof item.tooltip === 'string' ? item.tooltip : item.tooltip.value);
  return item;
}

async function render(sources: TreeSources, node: TreeNode): Promise<vscode.TreeItem> {
  const { Collapsed, None } = vscode.TreeItemCollapsibleState;
  switch (node.kind) {
    case 'server':
      return serverItem(sources, node.serverId);
    case 'invalid': {
      const item = new vscode.TreeItem(node.entry.label ?? Strings.invalidEntry(node.entry.index), None);
      item.description = node.entry.message;
      item.tooltip = Strings.invalidEntryTooltip(
        node.entry.message,
        node.entry.origin === 'user' ? Strings.fromUser : Strings.fromWorkspace,
        node.entry.index,
      );
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.contextValue = ItemContext.invalidServer;
      item.command = { command: Commands.openSettings, title: Strings.openSettings };
      return item;
    }
    case 'detail': {
      const item = new vscode.TreeItem(node.description === undefined ? node.label : `${node.label}:`, None);
      if (node.description !== undefined) item.description = node.description;
      item.tooltip = node.tooltip ?? [node.label, node.description].filter(Boolean).join(' ');
      item.iconPath = node.warning
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : new vscode.ThemeIcon(DETAIL_ICONS[node.role]);
      item.contextValue = `${ItemContext.identity}:${node.role}`;
      return item;
    }
    case 'scopes': {
      const item = new vscode.TreeItem(Strings.grantedScopes, Collapsed);
      item.description =
        node.granted.join(' ') + (node.missing.length ? ` (${node.missing.length} ${Strings.notGranted})` : '');
      item.iconPath = new vscode.ThemeIcon('shield');
      item.contextValue = `${ItemContext.scope}s`;
      return item;
    }
    case 'scope': {
      const item = new vscode.TreeItem(node.scope, None);
      item.description = node.granted ? Strings.granted : Strings.notGranted;
      item.iconPath = node.granted
        ? new vscode.ThemeIcon('check')
        : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      item.contextValue = `${ItemContext.scope}:${node.granted ? 'granted' : 'missing'}`;
      return item;
    }
    case 'tools': {
      const item = new vscode.TreeItem(
        node.tools ? Strings.tools(node.tools.length) : Strings.toolsUnknown,
        node.tools?.length ? Collapsed : None,
      );
      item.iconPath = new vscode.ThemeIcon('tools');
      item.contextValue = ItemContext.toolsGroup;
      return item;
    }
    case 'tool': {
      const item = new vscode.TreeItem(safeText(node.tool.name, 80), None);
      const locked = node.missingScopes.length > 0;
      item.description = locked
        ? Strings.toolLocked(node.missingScopes.join(' '))
        : safeText(node.tool.title ?? node.tool.description ?? '', 120);
      item.tooltip = safeText(`${node.tool.title ?? node.tool.name}: ${node.tool.description ?? ''}`, 500);
      item.iconPath = new vscode.ThemeIcon(locked ? 'lock' : 'symbol-method');
      item.contextValue = `${ItemContext.tool}:${locked ? 'locked' : 'available'}`;
      return item;
    }
  }
}

async function serverItem(sources: TreeSources, serverId: string): Promise<vscode.TreeItem> {
  const def = sources.registry.get(serverId);
  const state = sources.state(serverId);
  const item = new vscode.TreeItem(safeText(def?.name ?? serverId, 80), vscode.TreeItemCollapsibleState.Collapsed);
  const auth = def?.transport === 'http' ? ((await sources.grant(serverId)) ? 'signedIn' : 'signedOut') : 'secret';
  item.description = `${Strings.transportLabel(def?.transport ?? 'http')} · ${stateLabel(state)}`;
  item.tooltip = `${def?.name ?? serverId} (${serverId})\n${stateLabel(state)}`;
  item.iconPath = stateIcon(state);
  item.contextValue = `${ItemContext.server}:${def?.transport ?? 'http'}:${state.kind}:${auth}`;
  return item;
}

function stateIcon(state: ConnectionState): vscode.ThemeIcon {
  switch (state.kind) {
    case 'running':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
    case 'starting':
      return new vscode.ThemeIcon('loading~spin');
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
    case 'stopped':
      return new vscode.ThemeIcon('circle-outline');
  }
}
