import * as vscode from 'vscode';
import type { ToolGate } from '../../core/gateway/proxySession';
import { checkToolPolicy, parseToolPolicy, type ToolPolicy } from '../../core/gateway/toolPolicy';
import type { Logger } from '../../core/ports';
import { Settings } from '../constants';
import type { ServerRegistry } from '../serverRegistry';

/**
 * The `mcpSecure.gateway.tools` setting (per server id: allow/deny globs) as the gateway's tool gate.
 * A change re-reads the setting and calls `onDidChange`, so VS Code is told to re-list the tools.
 */
export class GatewayPolicy implements vscode.Disposable {
  private policy: ToolPolicy = new Map();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly registry: ServerRegistry,
    private readonly logger: Logger,
    onDidChange: () => void,
  ) {
    this.reload();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(Settings.gatewayTools)) return;
      this.reload();
      onDidChange();
    });
  }

  readonly gate: ToolGate = (serverId, tool) =>
    checkToolPolicy(this.policy.get(serverId), this.registry.get(serverId)?.name ?? serverId, tool.name);

  dispose(): void {
    this.subscription.dispose();
  }

  private reload(): void {
    const { policy, problems } = parseToolPolicy(
      vscode.workspace.getConfiguration().get<unknown>(Settings.gatewayTools),
    );
    this.policy = policy;
    for (const p of problems)
      this.logger.warn(`${Settings.gatewayTools}: ${p}; chat may use none of that server's tools until it is fixed`);
  }
}
