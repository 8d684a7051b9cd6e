/**
 * The audit trail: the {@link ToolCallObserver} that turns every MCP `tools/call` (MCP 2025-11-25,
 * "Tools" → "Calling Tools") into a redacted, hash-chained record in the {@link AuditStore}.
 *
 * It never blocks or throws into the call path: `onToolCallEnd` queues the record and returns; a failed
 * write (full disk, unwritable folder) is logged, fired on `onDidFail`, and the unwritten records are
 * kept (bounded) and retried with the next call — records already on disk are never touched.
 */
import { randomUUID } from 'node:crypto';
import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../toolCallObserver';
import type { AuditDraft, AuditOutcome, AuditRecord } from './auditRecord';
import { AuditStore, type AppendedBatch, type RetentionPolicy } from './auditStore';
import { Emitter } from '../common/event';
import { Redactor, type RedactionOptions } from '../common/redaction';

/** Redacted arguments larger than this (serialised) are stored as a truncated preview. */
export const MAX_ARGUMENT_BYTES = 16 * 1024;
/** Records kept in memory while the store cannot write. */
export const MAX_UNWRITTEN = 10_000;

export interface AuditWriteFailure {
  readonly error: McpSecureError;
  /** Records waiting in memory for the next successful write. */
  readonly unwritten: number;
  /** Records dropped because the in-memory buffer was full. */
  readonly dropped: number;
}

export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly logger: Logger;
  readonly redactor?: Redactor;
  /** Called on every write failure (in addition to `onDidFail`). */
  readonly onWriteError?: (failure: AuditWriteFailure) => void;
}

function truncateArguments(value: unknown): unknown {
  const json = JSON.stringify(value) ?? 'null';
  if (json.length <= MAX_ARGUMENT_BYTES) return value;
  return { $truncated: true, originalLength: json.length, preview: json.slice(0, 4096) };
}

export class AuditTrail implements ToolCallObserver {
  readonly redactor: Redactor;
  private readonly logger: Logger;
  private readonly unwritten: AuditDraft[] = [];
  private dropped = 0;
  private inFlight = new Set<Promise<unknown>>();
  private readonly failed = new Emitter<AuditWriteFailure>();
  /** Fires with each durable batch (live UI). */
  readonly onDidAppend: (listener: (batch: AppendedBatch) => void) => { dispose(): void };
  /** Fires when a write fails. */
  readonly onDidFail = this.failed.event;

  /**
   * Opens the store in `dir` (e.g. `<globalStorage>/audit`) and returns a trail over it. Throws
   * `audit_write_failed` when the folder is unusable; `recovery` on the store lists repairs made.
   */
  static async open(opts: {
    dir: string;
    logger: Logger;
    retention?: RetentionPolicy;
    redaction?: RedactionOptions;
    onWriteError?: (failure: AuditWriteFailure) => void;
  }): Promise<AuditTrail> {
    const store = await AuditStore.open({ dir: opts.dir, retention: opts.retention });
    const trail = new AuditTrail({
      store,
      logger: opts.logger,
      redactor: new Redactor(opts.redaction),
      onWriteError: opts.onWriteError,
    });
    for (const r of store.recovery) trail.logger.warn(r.message);
    return trail;
  }

  constructor(private readonly options: AuditTrailOptions) {
    this.redactor = options.redactor ?? new Redactor();
    this.logger = options.logger.child('audit');
    this.onDidAppend = options.store.onDidAppend;
  }

  get store(): AuditStore {
    return this.options.store;
  }

  /** Turns the call into a redacted record and queues it. Never throws, never awaits the disk. */
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome, durationMs: number): void {
    let draft: AuditDraft;
    try {
      draft = this.toDraft(context, outcome, durationMs);
    } catch (err) {
      this.logger.error(
        `could not build the audit record for a call to ${this.redactor.redactText(context.tool)}: ${err instanceof Error ? err.message : 'unknown'}`,
      );
      return;
    }
    this.write(draft);
  }

  /** Resolves when every queued record has been written or has failed. */
  async flush(): Promise<void> {
    // the store's flush ends a group-commit wait: queued records are written now, not when the timer fires
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight, this.options.store.flush()]);
    await this.options.store.flush();
  }

  /** Flushes and closes the store (extension deactivate). */
  async close(): Promise<void> {
    await this.flush();
    await this.options.store.close();
  }

  /** Records not yet on disk because of write failures. */
  get pendingCount(): number {
    return this.unwritten.length;
  }

  /** The redacted draft for a call (exposed for tests and the CLI). */
  toDraft(context: ToolCallContext, outcome: ToolCallOutcome, durationMs: number): AuditDraft {
    const r = this.redactor;
    const human = context.human
      ? {
          iss: context.human.issuer,
          sub: context.human.subject,
          displayName: context.human.displayName && r.redactText(context.human.displayName),
        }
      : undefined;
    return {
      id: context.callId || randomUUID(),
      time: new Date(context.startedAt).toISOString(),
      durationMs: Math.max(0, Math.round(durationMs * 1000) / 1000),
      who: {
        human,
        agent: { ...context.agent },
        caller: context.caller,
        ...(context.conversationId !== undefined ? { conversationId: context.conversationId } : {}),
      },
      what: {
        server: {
          id: context.server.id,
          name: r.redactText(context.server.name),
          transport: context.server.transport,
          target: r.redactText(context.server.target),
          resource: context.server.resource,
        },
        tool: r.redactText(context.tool),
        arguments: truncateArguments(r.redactValue(context.arguments ?? null)),
      },
      outcome: this.toOutcome(outcome),
      scopes: [...context.grantedScopes],
    };
  }

  private toOutcome(outcome: ToolCallOutcome): AuditOutcome {
    const base = this.toOutcomeKind(outcome);
    // A task-augmented call: the task's id (server-generated, not a secret) and its final status.
    return outcome.task
      ? {
          ...base,
          task: { id: this.redactor.redactText(outcome.task.taskId).slice(0, 200), status: outcome.task.status },
        }
      : base;
  }

  private toOutcomeKind(outcome: ToolCallOutcome): AuditOutcome {
    const r = this.redactor;
    switch (outcome.kind) {
      case 'success':
        return { kind: 'success', resultSize: outcome.resultSize };
      case 'tool_error':
        return { kind: 'tool_error', error: r.redactText(outcome.message), resultSize: outcome.resultSize };
      case 'denied':
        return {
          kind: 'denied',
          status: outcome.status,
          error: r.redactText(outcome.message),
          missingScope: outcome.missingScope,
        };
      case 'transport_error':
        return { kind: 'transport_error', code: outcome.code, error: r.redactText(outcome.message) };
    }
  }

  private write(draft: AuditDraft): void {
    const retry = this.unwritten.splice(0);
    for (const d of [...retry, draft]) {
      const p: Promise<AuditRecord | undefined> = this.options.store
        .append(d)
        .catch((err: unknown) => this.onFailure(d, err));
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    }
  }

  private onFailure(draft: AuditDraft, err: unknown): undefined {
    if (this.unwritten.length >= MAX_UNWRITTEN) this.dropped++;
    else this.unwritten.push(draft);
    const error =
      err instanceof McpSecureError
        ? err
        : new McpSecureError('audit_write_failed', 'cannot write the audit log', { cause: err });
    this.logger.error(
      `audit write failed (${error.code}): ${error.message}; ${this.unwritten.length} record(s) kept in memory`,
    );
    const failure = { error, unwritten: this.unwritten.length, dropped: this.dropped };
    try {
      this.options.onWriteError?.(failure);
    } catch {
      // a reporting callback must not break the trail
    }
    this.failed.fire(failure);
    return undefined;
  }
}
