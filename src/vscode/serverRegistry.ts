import * as vscode from 'vscode';
import type { ServerDefinition } from '../core/mcp/serverDefinition';
import { Settings } from './constants';
import {
  countIgnored,
  readServerEntries,
  type ScopedValues,
  type ServerEntry,
  type SettingsOrigin,
} from './serverEntries';

/**
 * The configured MCP servers: `mcpSecure.servers` from user and (trusted) workspace settings, each
 * validated with the core's `parseServerDefinition`. Invalid entries are kept as diagnostics for the
 * tree; nothing here throws during activation. Fires `onDidChange` when settings or trust change.
 */
export class ServerRegistry implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];
  private current: ServerEntry[] = [];
  private ignored = 0;

  constructor() {
    this.reload();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.servers)) this.reloadAndFire();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reloadAndFire()),
    );
  }

  entries(): readonly ServerEntry[] {
    return this.current;
  }

  servers(): ServerDefinition[] {
    return this.current.flatMap((e) => (e.kind === 'valid' ? [e.def] : []));
  }

  get(id: string): ServerDefinition | undefined {
    return this.servers().find((s) => s.id === id);
  }

  originOf(id: string): SettingsOrigin | undefined {
    const entry = this.current.find((e) => e.kind === 'valid' && e.def.id === id);
    return entry?.origin;
  }

  invalidEntries(): Extract<ServerEntry, { kind: 'invalid' }>[] {
    return this.current.filter((e): e is Extract<ServerEntry, { kind: 'invalid' }> => e.kind === 'invalid');
  }

  ignoredCount(): number {
    return this.ignored;
  }

  /** Append raw entries to the given settings scope (user by default). */
  async add(raw: readonly Record<string, unknown>[], origin: SettingsOrigin = 'user'): Promise<void> {
    const list = this.rawList(origin);
    await this.write([...list, ...raw], origin);
  }

  /** Remove an entry (valid by id, or invalid by origin + index) from the scope it came from. */
  async remove(target: { id: string } | { origin: SettingsOrigin; index: number }): Promise<boolean> {
    const entry =
      'id' in target
        ? this.current.find((e) => (e.kind === 'valid' ? e.def.id : e.id) === target.id)
        : this.current.find((e) => e.origin === target.origin && e.index === target.index);
    if (!entry) return false;
    const list = this.rawList(entry.origin);
    await this.write(
      list.filter((_, i) => i !== entry.index),
      entry.origin,
    );
    return true;
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private reloadAndFire(): void {
    this.reload();
    this.emitter.fire();
  }

  private reload(): void {
    const values = this.scopedValues();
    this.current = readServerEntries(values, vscode.workspace.isTrusted);
    this.ignored = countIgnored(values, vscode.workspace.isTrusted);
  }

  private scopedValues(): ScopedValues {
    const inspected = vscode.workspace.getConfiguration().inspect<unknown[]>(Settings.servers);
    return { user: inspected?.globalValue, workspace: inspected?.workspaceValue };
  }

  private rawList(origin: SettingsOrigin): unknown[] {
    const v = origin === 'user' ? this.scopedValues().user : this.scopedValues().workspace;
    return Array.isArray(v) ? [...v] : [];
  }

  private async write(list: unknown[], origin: SettingsOrigin): Promise<void> {
    const target = origin === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace;
    await vscode.workspace.getConfiguration().update(Settings.servers, list, target);
    this.reload();
  }
}
