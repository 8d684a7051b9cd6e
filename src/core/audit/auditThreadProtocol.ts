/**
 * The messages between the extension host's thread and the audit store's thread (Node
 * `worker_threads`, structured clone). Everything is plain data: drafts are redacted before they are
 * posted, and the only secret that crosses, the witness's HMAC key, is read through the
 * {@link SecretStore} request/reply pair, never logged.
 */
import { McpSecureError, type McpSecureErrorCode } from '../errors';
import type { AuditActor } from './auditEvents';
import type { AuditStoreOptions, SealedBatch, StoreReport } from './auditStore';

/** The store's options that cross to the thread (no functions: the thread uses the system clock). */
export type ThreadStoreOptions = Pick<
  AuditStoreOptions,
  'dir' | 'segmentMaxBytes' | 'retention' | 'durable' | 'maxBatch' | 'lock'
>;

/** Nice value of the audit thread on Linux (auditThread.ts): below the extension host's own threads. */
export const AUDIT_THREAD_NICE = 10;

/** `workerData` of the audit thread. */
export interface AuditThreadData {
  readonly store: ThreadStoreOptions;
  /** The witness: head file (outside the folder) and the SecretStore key of its HMAC key. */
  readonly witness?: { readonly headPath: string; readonly keyName: string };
}

/** A store operation the host asks for (one reply each, matched by `id`). */
export type StoreCall =
  | { readonly op: 'open' }
  /**
   * The drafts as one JSON array (a single string: the cheapest thing to hand across, and drafts are
   * JSON data). `retry`: see `AppendOptions.retry` in auditWriter.ts (absent on the normal path, which
   * then reads nothing back).
   */
  | { readonly op: 'append'; readonly drafts: string; readonly retry?: true }
  | { readonly op: 'flush' }
  | { readonly op: 'verify' }
  | { readonly op: 'clear'; readonly actor?: AuditActor }
  | { readonly op: 'close' };

export type SecretOp = 'get' | 'store' | 'delete';

/** Host → thread. */
export type ToThread =
  | { readonly t: 'call'; readonly id: number; readonly call: StoreCall }
  | { readonly t: 'secretReply'; readonly id: number; readonly value?: string; readonly error?: WireError }
  | { readonly t: 'secretChanged'; readonly key: string };

/** Thread → host. */
export type FromThread =
  | { readonly t: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: WireError }
  /** A durable batch: ids and hashes; whole records only for the store's own events (the host has the drafts). */
  | { readonly t: 'sealed'; readonly batch: SealedBatch }
  | { readonly t: 'report'; readonly report: StoreReport }
  | { readonly t: 'secret'; readonly id: number; readonly op: SecretOp; readonly key: string; readonly value?: string };

/** The reply to an `append` call: indices of the drafts not written, and why. */
export interface AppendReply {
  readonly failed: readonly number[];
  readonly error?: WireError;
}

/** An error as it crosses threads (a class does not survive structured clone). */
export interface WireError {
  readonly code: McpSecureErrorCode;
  readonly message: string;
}

export function toWire(err: unknown): WireError {
  return err instanceof McpSecureError
    ? { code: err.code, message: err.message }
    : {
        code: 'audit_write_failed',
        message: `the audit thread failed (${(err as NodeJS.ErrnoException | undefined)?.code ?? (err instanceof Error ? err.name : 'error')})`,
      };
}

export function fromWire(err: WireError): McpSecureError {
  return new McpSecureError(err.code, err.message);
}
