import type { ToolInfo } from '../../core/mcp/types';
import type { ServerEntry } from '../serverEntries';

/**
 * The Servers tree's model: plain data, never `vscode.TreeItem` subclasses. `serverTreeItems.ts` turns
 * a node into a TreeItem; `serverTreeModel.ts` computes children asynchronously from the services.
 */
export type DetailRole = 'state' | 'transport' | 'human' | 'agent' | 'server' | 'expiry' | 'command' | 'chat';

export type TreeNode =
  | { readonly kind: 'server'; readonly serverId: string }
  | { readonly kind: 'invalid'; readonly entry: Extract<ServerEntry, { kind: 'invalid' }> }
  | {
      readonly kind: 'detail';
      readonly serverId: string;
      readonly role: DetailRole;
      readonly label: string;
      readonly description?: string;
      readonly tooltip?: string;
      readonly warning?: boolean;
    }
  | {
      readonly kind: 'scopes';
      readonly serverId: string;
      readonly granted: readonly string[];
      readonly missing: readonly string[];
    }
  | { readonly kind: 'scope'; readonly serverId: string; readonly scope: string; readonly granted: boolean }
  | { readonly kind: 'tools'; readonly serverId: string; readonly tools: readonly ToolInfo[] | undefined }
  | {
      readonly kind: 'tool';
      readonly serverId: string;
      readonly tool: ToolInfo;
      readonly missingScopes: readonly string[];
    };

/** Stable id per node so VS Code keeps expansion state across refreshes. */
export function nodeId(node: TreeNode): string {
  switch (node.kind) {
    case 'server':
      return `server/${node.serverId}`;
    case 'invalid':
      return `invalid/${node.entry.origin}/${node.entry.index}`;
    case 'detail':
      return `server/${node.serverId}/${node.role}`;
    case 'scopes':
      return `server/${node.serverId}/scopes`;
    case 'scope':
      return `server/${node.serverId}/scopes/${node.scope}`;
    case 'tools':
      return `server/${node.serverId}/tools`;
    case 'tool':
      return `server/${node.serverId}/tools/${node.tool.name}`;
  }
}
