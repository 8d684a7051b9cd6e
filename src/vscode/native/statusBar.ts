import * as vscode from 'vscode';
import type { ConnectionState } from '../../core/mcp/connectionState';
import type { HttpServerDefinition, ServerDefinition } from '../../core/mcp/serverDefinition';
import { Views } from '../constants';
import type { GrantView } from '../engineContract';
import { safeText } from '../../core/common/safeText';
import { type AuditHealth, type ServerStatusInput, type StatusSummary, summarizeStatus } from './statusSummary';
import { Strings } from '../strings';
import { Sequencer } from '../../core/common/async';

/** Expiry is time-based: re-check once a minute even when nothing else changes. */
const TICK_MS = 60_000;

interface Subscribable {
  dispose(): void;
}

/** The audit trail's health events (structural: any trail with these two events). */
export interface AuditHealthSource {
  onDidFail(listener: (failure: { readonly unwritten: number }) => void): Subscribable;
  onDidAppend(listener: (batch: unknown) => void): Subscribable;
}

export interface StatusBarSources {
  readonly servers: () => readonly ServerDefinition[];
  readonly onDidChangeServers: vscode.Event<void>;
  readonly state: (id: string) => ConnectionState;
  readonly onDidChangeState: (listener: () => void) => Subscribable;
  readonly grant: (def: HttpServerDefinition) => Promise<GrantView | undefined>;
  readonly onDidChangeGrants: (listener: () => void) => Subscribable;
  /** Undefined when the audit trail could not be opened. */
  readonly audit: AuditHealthSource | undefined;
  readonly now: () => number;
}

/**
 * The status bar item: servers connected at a glance, a warning when a sign-in expired or the audit
 * log cannot be written; clicking opens the Servers view. Server names go through the safe-text function.
 */
export class ServerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mcpSecure.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: Subscribable[] = [];
  private audit: AuditHealth;
  private current: StatusSummary | undefined;
  /** Renders run one at a time, in order. */
  private readonly renders = new Sequencer();

  constructor(private readonly sources: StatusBarSources) {
    this.item.name = Strings.statusTitle;
    this.item.command = `${Views.servers}.focus`;
    this.audit = sources.audit ? { kind: 'ok' } : { kind: 'unavailable' };
    const update = (): void => void this.update();
    this.subscriptions.push(
      sources.onDidChangeServers(update),
      sources.onDidChangeState(update),
      sources.onDidChangeGrants(update),
      ...(sources.audit
        ? [
            sources.audit.onDidFail((f) => {
              this.audit = { kind: 'failing', unwritten: f.unwritten };
              update();
            }),
            sources.audit.onDidAppend(() => {
              if (this.audit.kind !== 'ok') {
                this.audit = { kind: 'ok' };
                update();
              }
            }),
          ]
        : []),
    );
    const tick = setInterval(update, TICK_MS);
    this.subscriptions.push({ dispose: () => clearInterval(tick) });
    update();
    this.item.show();
  }

  /** Recomputes and renders; concurrent triggers are serialised so the last state wins. */
  update(): Promise<void> {
    return this.renders.queue(() => this.render());
  }

  /** What the item shows now (tests). */
  snapshot(): { text: string; tooltip: string; warning: boolean; command: string } {
    return {
      text: this.item.text,
      tooltip: String(this.item.tooltip ?? ''),
      warning: this.current?.warning ?? false,
      command: String(this.item.command ?? ''),
    };
  }

  private async render(): Promise<void> {
    const inputs: ServerStatusInput[] = await Promise.all(
      this.sources.servers().map(async (def) => ({
        name: safeText(def.name, 80),
        transport: def.transport,
        state: this.sources.state(def.id).kind,
        grant: def.transport === 'http' ? await this.sources.grant(def).catch(() => undefined) : undefined,
      })),
    );
    const summary = summarizeStatus(inputs, this.audit, this.sources.now());
    this.current = summary;
    this.item.text = summary.text;
    this.item.tooltip = summary.tooltip;
    this.item.backgroundColor = summary.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: summary.tooltip.split('\n').slice(0, 2).join('. '), role: 'button' };
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.item.dispose();
  }
}
