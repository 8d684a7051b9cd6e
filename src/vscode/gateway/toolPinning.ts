import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ToolGate } from '../../core/gateway/proxySession';
import {
  hiddenCharacters,
  nameConflicts,
  pinnedForm,
  reviewTools,
  toolDigest,
  type HeldBackTool,
  type ToolPin,
} from '../../core/gateway/toolPins';
import type { ToolInfo } from '../../core/mcp/types';
import type { ToolCallOutcome } from '../../core/toolCallObserver';
import { StateKeys } from '../constants';
import { Strings } from '../strings';

type PinTable = Record<string, Record<string, ToolPin>>;

/** What the audit gets about a definition change (held back) or acceptance. */
export type PinEvent = (
  serverId: string,
  tool: string,
  args: Record<string, unknown>,
  caller: 'chat' | 'palette',
  outcome: ToolCallOutcome,
) => Promise<void>;

/**
 * Tool pins of the gateway, kept in `globalState` (digests and accepted definitions: public server
 * data, no secrets). Every tool list the gateway gets from a server is reviewed: new tools are pinned,
 * changed ones and ones with hidden characters are held back from chat (hidden from `tools/list`,
 * calls denied) until the user accepts them; each newly held-back definition is audited.
 */
export class ToolPinning implements vscode.Disposable {
  private readonly held = new Map<string, Map<string, HeldBackTool>>();
  private readonly listed = new Map<string, readonly ToolInfo[]>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the server id whose held-back tools or listing changed. */
  readonly onDidChange = this.emitter.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly record: PinEvent,
  ) {}

  /** Review a server's tool list (called before the gateway answers `tools/list`). */
  readonly observe = async (serverId: string, tools: readonly ToolInfo[]): Promise<void> => {
    const table = this.table();
    const { verdicts, pins } = reviewTools(table[serverId] ?? {}, tools);
    if (JSON.stringify(pins) !== JSON.stringify(table[serverId] ?? {}))
      await this.state.update(StateKeys.gatewayToolPins, { ...table, [serverId]: pins });
    const before = this.held.get(serverId) ?? new Map<string, HeldBackTool>();
    const now = new Map<string, HeldBackTool>();
    for (const tool of tools) {
      const verdict = verdicts.get(tool.name);
      if (!verdict || verdict.kind === 'pinned') continue;
      now.set(tool.name, { serverId, tool, verdict });
      if (before.get(tool.name)?.verdict.digest !== verdict.digest) {
        await this.record(serverId, tool.name, heldArgs(verdict), 'chat', {
          kind: 'denied',
          status: 'local',
          message: Strings.toolHeldBackAudit,
        });
      }
    }
    this.held.set(serverId, now);
    this.listed.set(serverId, tools);
    this.emitter.fire(serverId);
  };

  /** Refuses a tool whose definition differs from its pin, or that carries hidden characters and has none. */
  readonly gate: ToolGate = (serverId, tool) => {
    const pin = this.table()[serverId]?.[tool.name];
    const refused = pin ? pin.digest !== toolDigest(tool) : hiddenCharacters(tool).length > 0;
    return refused ? new McpSecureError('policy_denied', Strings.toolHeldBack(tool.name.slice(0, 100))) : undefined;
  };

  heldBack(): HeldBackTool[] {
    return [...this.held.values()].flatMap((m) => [...m.values()]);
  }

  /**
   * Forgets the listings and held-back tools of servers no longer offered to chat, so a removed server's
   * tool names stop counting as name conflicts of the servers that remain.
   */
  retain(isOffered: (serverId: string) => boolean): void {
    for (const serverId of new Set([...this.listed.keys(), ...this.held.keys()])) {
      if (isOffered(serverId)) continue;
      this.listed.delete(serverId);
      this.held.delete(serverId);
      this.emitter.fire(serverId);
    }
  }

  /** Summary for the Servers view. */
  summary(serverId: string): { held: number; hidden: number; conflicts: string[] } {
    const held = [...(this.held.get(serverId)?.values() ?? [])];
    const conflicts = [...nameConflicts(this.listed)].filter(([, ids]) => ids.includes(serverId)).map(([name]) => name);
    return { held: held.length, hidden: held.filter((h) => h.verdict.hidden.length > 0).length, conflicts };
  }

  /** The definition the user accepted before (for the diff's left side), if any. */
  pinned(serverId: string, tool: string): Record<string, unknown> | undefined {
    return this.table()[serverId]?.[tool]?.definition;
  }

  /** The user saw the change and accepts it: pin the current definition, audit it, release the tool. */
  async accept(serverId: string, toolName: string): Promise<boolean> {
    const h = this.held.get(serverId)?.get(toolName);
    if (!h) return false;
    const table = this.table();
    const pin: ToolPin = { digest: h.verdict.digest, definition: pinnedForm(h.tool) };
    await this.state.update(StateKeys.gatewayToolPins, {
      ...table,
      [serverId]: { ...(table[serverId] ?? {}), [toolName]: pin },
    });
    this.held.get(serverId)?.delete(toolName);
    await this.record(
      serverId,
      toolName,
      {
        event: 'tool_definition_accepted',
        digest: h.verdict.digest,
        ...(h.verdict.hidden.length ? { hiddenCharacters: [...h.verdict.hidden] } : {}),
      },
      'palette',
      { kind: 'success', resultSize: 0 },
    );
    this.emitter.fire(serverId);
    return true;
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private table(): PinTable {
    return this.state.get<PinTable>(StateKeys.gatewayToolPins, {});
  }
}

function heldArgs(verdict: HeldBackTool['verdict']): Record<string, unknown> {
  return {
    event: verdict.kind === 'changed' ? 'tool_definition_changed' : 'tool_hidden_characters',
    digest: verdict.digest,
    ...(verdict.kind === 'changed' ? { pinnedDigest: verdict.pin.digest } : {}),
    ...(verdict.hidden.length ? { hiddenCharacters: [...verdict.hidden] } : {}),
  };
}
