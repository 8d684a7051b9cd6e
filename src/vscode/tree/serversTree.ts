import * as vscode from 'vscode';
import { ContextKeys, Views } from '../constants';
import { childrenOf, type TreeSources } from './serverTreeModel';
import { toTreeItem } from './serverTreeItems';
import type { TreeNode } from './treeNodes';

/** A plain snapshot of a rendered node, for the test API. */
export interface TreeSnapshot {
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly contextValue?: string;
  readonly children: TreeSnapshot[];
}

/**
 * The `mcpSecure.servers` view. Refreshes are coalesced into one `onDidChangeTreeData` per tick;
 * `hasServers` drives the welcome view.
 */
export class ServersTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly view: vscode.TreeView<TreeNode>;
  private pending = false;

  constructor(private readonly sources: TreeSources) {
    this.view = vscode.window.createTreeView(Views.servers, { treeDataProvider: this, showCollapseAll: true });
    this.updateContext();
  }

  getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    return toTreeItem(this.sources, node);
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return childrenOf(this.sources, node);
  }

  refresh(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.updateContext();
      this.emitter.fire(undefined);
    });
  }

  /** Render the whole tree (all levels) as plain data. */
  async snapshot(node?: TreeNode): Promise<TreeSnapshot[]> {
    const children = await this.getChildren(node);
    return Promise.all(
      children.map(async (child) => {
        const item = await this.getTreeItem(child);
        const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
        return {
          label,
          ...(typeof item.description === 'string' ? { description: item.description } : {}),
          ...(typeof item.tooltip === 'string' ? { tooltip: item.tooltip } : {}),
          ...(item.contextValue ? { contextValue: item.contextValue } : {}),
          children: await this.snapshot(child),
        };
      }),
    );
  }

  dispose(): void {
    this.view.dispose();
    this.emitter.dispose();
  }

  private updateContext(): void {
    const entries = this.sources.registry.entries();
    void vscode.commands.executeCommand('setContext', ContextKeys.hasServers, entries.length > 0);
    void vscode.commands.executeCommand(
      'setContext',
      ContextKeys.hasInvalidServers,
      entries.some((e) => e.kind === 'invalid'),
    );
  }
}
