/**
 * Off-machine anchoring of the audit log: forwards every appended record (tool calls and the log's own
 * clear / retention / integrity events) to the OTLP/HTTP collector named by the
 * `mcpSecure.audit.otlp.endpoint` setting, with the collector headers (credentials) kept only in
 * SecretStorage. Free of `vscode` so it is tested in plain Node against a real HTTP collector; the
 * composition root feeds it the setting and the secret store, and re-applies on changes.
 */
import type { AuditTrail } from '../../core/audit/auditTrail';
import { Emitter, type Disposable } from '../../core/common/event';
import { OtlpForwarder, parseOtlpHeaders, type OtlpExportStatus } from '../../core/audit/otlpForwarder';
import { McpSecureError } from '../../core/errors';
import type { Logger, SecretStore } from '../../core/ports';
import { Strings } from '../strings';
import { Sequencer } from '../../core/common/async';

/** SecretStorage key of the collector headers (`name=value,name=value`). */
export const OTLP_HEADERS_KEY = 'mcpSecure.audit.otlpHeaders';

/** The export as the panel shows it. */
export type AuditExportStatus =
  { readonly state: 'off' } | { readonly state: 'misconfigured'; readonly error: string } | OtlpExportStatus;

export interface AuditExportOptions {
  readonly trail: AuditTrail;
  readonly secrets: SecretStore;
  readonly logger: Logger;
  /** The configured endpoint ('' or undefined = export off). */
  readonly endpoint: () => string | undefined;
  /** Forwarder tuning (tests). */
  readonly forwarder?: { flushIntervalMs?: number; retryBaseMs?: number; maxRetries?: number };
}

export class AuditExportController implements Disposable {
  private forwarder: OtlpForwarder | undefined;
  private subscriptions: Disposable[] = [];
  private current: AuditExportStatus = { state: 'off' };
  private readonly changed = new Emitter<AuditExportStatus>();
  /** Rebuilds run one at a time, in order. */
  private readonly rebuilds = new Sequencer();
  /** Fires whenever the export status changes. */
  readonly onDidChangeStatus = this.changed.event;

  constructor(private readonly options: AuditExportOptions) {}

  get status(): AuditExportStatus {
    return this.current;
  }

  /** (Re)builds the forwarder from the setting and the stored headers; call after either changes. */
  apply(): Promise<void> {
    return this.rebuilds.queue(() => this.rebuild());
  }

  /** Stores the headers (validated first) or removes them when `text` is empty, then re-applies. */
  async setHeaders(text: string): Promise<void> {
    if (text.trim() === '') await this.options.secrets.delete(OTLP_HEADERS_KEY);
    else {
      parseOtlpHeaders(text);
      await this.options.secrets.store(OTLP_HEADERS_KEY, text.trim());
    }
    await this.apply();
  }

  /** Sends what is queued now (tests, deactivate). */
  async flush(): Promise<void> {
    await this.rebuilds.idle();
    await this.forwarder?.flush();
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
  }

  private stop(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions = [];
    this.forwarder?.dispose();
    this.forwarder = undefined;
  }

  private async rebuild(): Promise<void> {
    this.stop();
    const endpoint = this.options.endpoint()?.trim();
    if (!endpoint) return this.set({ state: 'off' });
    try {
      const stored = await this.options.secrets.get(OTLP_HEADERS_KEY);
      const headers = stored ? parseOtlpHeaders(stored) : {};
      const forwarder = new OtlpForwarder({
        url: endpoint,
        headers,
        logger: this.options.logger,
        ...this.options.forwarder,
      });
      this.forwarder = forwarder;
      this.subscriptions.push(
        forwarder.attach(this.options.trail.onDidAppend),
        forwarder.onDidChangeStatus((s) => this.set(s)),
      );
      this.set(forwarder.status);
    } catch (err) {
      const error = err instanceof McpSecureError ? err.message : Strings.auditExportNotStarted;
      this.options.logger.warn(`audit export is off: ${error}`);
      this.set({ state: 'misconfigured', error });
    }
  }

  private set(status: AuditExportStatus): void {
    this.current = status;
    this.changed.fire(status);
  }
}
