/**
 * The audit trail: the {@link ToolCallObserver} that turns every MCP `tools/call` (MCP 2025-11-25,
 * "Tools" → "Calling Tools") into a redacted, hash-chained record in the audit store.
 *
 * It costs the call almost nothing: `onToolCallEnd` only queues the call's context and outcome. Right
 * after the call's turn of the event loop (`setImmediate`), the queued calls are turned into redacted
 * drafts — redaction happens here, on the host, so nothing unredacted ever reaches the store, its
 * thread or the disk — and handed to the store in one {@link AuditWriter.appendAll}; sealing (canonical
 * JSON + SHA-256 chain) and the write happen in the store's batch (on its own thread in the editor). A
 * failed write (full disk, unwritable folder) is logged, fired on `onDidFail`, and the unwritten
 * records are kept (bounded) and retried with the next call — records already on disk are never touched.
 */
import { randomUUID } from 'node:crypto';
import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../toolCallObserver';
import type { AuditDraft, AuditOutcome } from './auditRecord';
import { AuditStore, type AppendedBatch, type RetentionPolicy } from './auditStore';
import type { AppendOutcome, AuditWriter } from './auditWriter';
import { Emitter } from '../common/event';
import { Redactor, type RedactionOptions } from '../common/redaction';

/** Redacted arguments larger than this (serialised) are stored as a truncated preview. */
export const MAX_ARGUMENT_BYTES = 16 * 1024;
/** Redacted names remembered at most (server names, targets, tools, display names). */
const MAX_LABELS = 512;
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
  readonly store: AuditWriter;
  readonly logger: Logger;
  readonly redactor?: Redactor;
  /** Called on every write failure (in addition to `onDidFail`). */
  readonly onWriteError?: (failure: AuditWriteFailure) => void;
}

function asWriteError(err: unknown): McpSecureError {
  return err instanceof McpSecureError
    ? err
    : new McpSecureError('audit_write_failed', 'cannot write the audit log', { cause: err });
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
  /** Calls ended in this turn of the event loop, not yet turned into drafts. */
  private ended: { context: ToolCallContext; outcome: ToolCallOutcome; durationMs: number }[] = [];
  private handOver: NodeJS.Immediate | undefined;
  private dropped = 0;
  private labels = { generation: -1, byText: new Map<string, string>() };
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

  get store(): AuditWriter {
    return this.options.store;
  }

  /** Queues the call for its record (built right after this turn). Never throws, never awaits. */
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome, durationMs: number): void {
    this.ended.push({ context, outcome, durationMs });
    this.handOver ??= setImmediate(() => this.handOverEnded());
  }

  /** Resolves when every queued record has been written or has failed. */
  async flush(): Promise<void> {
    this.handOverEnded();
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

  /**
   * Redacted text of the names that repeat on every record (server name and target, tool, the human's
   * display name), remembered while the redactor's runtime secrets stay the same. Arguments and messages,
   * which differ per call and may hold secrets, are never remembered.
   */
  private label(text: string): string {
    if (this.labels.generation !== this.redactor.generation || this.labels.byText.size >= MAX_LABELS)
      this.labels = { generation: this.redactor.generation, byText: new Map() };
    let redacted = this.labels.byText.get(text);
    if (redacted === undefined) this.labels.byText.set(text, (redacted = this.redactor.redactText(text)));
    return redacted;
  }

  /** The redacted draft for a call (exposed for tests and the CLI). */
  toDraft(context: ToolCallContext, outcome: ToolCallOutcome, durationMs: number): AuditDraft {
    const r = this.redactor;
    const human = context.human
      ? {
          iss: context.human.issuer,
          sub: context.human.subject,
          displayName: context.human.displayName && this.label(context.human.displayName),
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
          name: this.label(context.server.name),
          transport: context.server.transport,
          target: this.label(context.server.target),
          resource: context.server.resource,
        },
        tool: this.label(context.tool),
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

  /** Redacts the calls ended so far into drafts and hands them, with any retries, to the store. */
  private handOverEnded(): void {
    if (this.handOver) clearImmediate(this.handOver);
    this.handOver = undefined;
    const ended = this.ended;
    if (ended.length === 0) return;
    this.ended = [];
    const drafts: AuditDraft[] = [];
    for (const e of ended) {
      try {
        drafts.push(this.toDraft(e.context, e.outcome, e.durationMs));
      } catch (err) {
        this.logger.error(
          `could not build the audit record for a call to ${this.redactor.redactText(e.context.tool)}: ${err instanceof Error ? err.message : 'unknown'}`,
        );
      }
    }
    this.write(drafts);
  }

  private write(drafts: readonly AuditDraft[]): void {
    // drafts handed back failed may still be on disk (a store thread that died after writing them)
    const retry = this.unwritten.length > 0;
    const all = [...this.unwritten.splice(0), ...drafts];
    if (all.length === 0) return;
    const p: Promise<void> = this.options.store.appendAll(all, retry ? { retry } : undefined).then(
      (outcome) => this.onWritten(outcome),
      (err: unknown) => this.onWritten({ failed: all, error: asWriteError(err) }),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private onWritten(outcome: AppendOutcome): void {
    if (outcome.failed.length === 0) return;
    for (const d of outcome.failed) {
      if (this.unwritten.length >= MAX_UNWRITTEN) this.dropped++;
      else this.unwritten.push(d);
    }
    const error = asWriteError(outcome.error);
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
  }
}
