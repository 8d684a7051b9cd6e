/**
 * What the audit trail and the audit panel need from the durable store, whether it runs on the
 * caller's thread ({@link AuditStore}: CLI, tests) or on its own thread ({@link AuditStoreThread}: the
 * editor, so that sealing and file-system work never run on the extension host's event loop).
 */
import type { McpSecureError } from '../errors';
import type { AuditActor } from './auditEvents';
import type { AuditDraft } from './auditRecord';
import type { AppendedBatch, StoreReport } from './auditStore';
import type { VerifyResult } from './chainVerifier';
import type { Event } from '../common/event';

/** The drafts of an {@link AuditWriter.appendAll} that were not written, and why (none: all written). */
export interface AppendOutcome {
  readonly failed: readonly AuditDraft[];
  readonly error?: McpSecureError;
}

/** How an {@link AuditWriter.appendAll} is made. */
export interface AppendOptions {
  /**
   * The drafts (some or all) were handed over before and came back failed; a failure does not prove
   * they are not on disk (a thread that dies after writing, before replying). Drafts whose id is
   * already among the newest records of the chain are not written again and count as written.
   */
  readonly retry?: boolean;
}

export interface AuditWriter {
  /** The audit folder (the index reads the segments from here). */
  readonly dir: string;
  /** Fires after each durable batch (live UI, forwarder, index refresh). */
  readonly onDidAppend: Event<AppendedBatch>;
  /** Fires on every repair, removal or integrity finding. */
  readonly onDidReport: Event<StoreReport>;
  /** Resolves once the store is open (folder created, tail repaired, witness checked). */
  whenOpen(): Promise<void>;
  /**
   * Seals (hash chain), writes and syncs `drafts` in order. Never rejects: the drafts not written
   * (each is written whole or not at all) come back in `failed` with the error.
   */
  appendAll(drafts: readonly AuditDraft[], options?: AppendOptions): Promise<AppendOutcome>;
  /** Resolves when everything queued so far has been written (or failed). */
  flush(): Promise<void>;
  /** Verifies the whole retained chain against the witnessed head. */
  verify(): Promise<VerifyResult>;
  /** Removes every record, chaining a `clear` event first. */
  clear(actor?: AuditActor): Promise<void>;
  /** Flushes and releases the store. */
  close(): Promise<void>;
}
