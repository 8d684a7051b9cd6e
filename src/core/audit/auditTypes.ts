/**
 * The audit record's shape and the panel's row shape, with no runtime dependency (no `node:` imports),
 * so that the webview bundle shares them with the host instead of declaring them again. Hashing and
 * sealing live in auditRecord.ts (node:crypto), which re-exports these types.
 */
import type { AgentIdentity, ToolCaller } from '../toolCallObserver';

export type AuditOutcomeKind = 'success' | 'tool_error' | 'denied' | 'transport_error';

export const AUDIT_OUTCOME_KINDS: readonly AuditOutcomeKind[] = ['success', 'tool_error', 'denied', 'transport_error'];

/** The agent acting for the human: an OAuth client (`client_id` or CIMD URL) or a stdio shared secret. */
export type AuditAgent = AgentIdentity;

export interface AuditHuman {
  readonly iss?: string;
  readonly sub?: string;
  readonly displayName?: string;
}

export interface AuditWho {
  readonly human?: AuditHuman;
  readonly agent: AuditAgent;
  /** Who made the call; `audit-store` for the store's own events (retention, integrity findings). */
  readonly caller: ToolCaller | 'audit-store';
  /** VS Code's chat conversation id, for calls made by chat through the gateway. */
  readonly conversationId?: string;
}

/**
 * What the audit log itself did, written as a record in the chain so that it is visible, attributed
 * and covered by the chain and the witnessed head: `clear` and `retention` (records removed, and the
 * new anchor), `integrity` (the log did not match its witnessed head), `witness_started` (witnessing
 * began on a log that had none).
 */
export type AuditEventType = 'clear' | 'retention' | 'integrity' | 'witness_started';

export interface AuditEvent {
  readonly type: AuditEventType;
  /** One sentence saying what happened (no secrets: built from counts, names and hashes). */
  readonly detail: string;
}

export interface AuditWhat {
  readonly server: {
    readonly id: string;
    readonly name: string;
    /** `local` for the audit log's own events. */
    readonly transport: 'http' | 'stdio' | 'local';
    /** HTTP URL, or the stdio command line. */
    readonly target: string;
    /** Canonical resource URI the token is bound to (RFC 8707). */
    readonly resource?: string;
  };
  readonly tool: string;
  /** Arguments after redaction (see redaction.ts), possibly truncated. */
  readonly arguments: unknown;
}

export interface AuditOutcome {
  readonly kind: AuditOutcomeKind;
  /** HTTP status for denials (401/403) or 'local' when the client refused the call itself. */
  readonly status?: number | 'local';
  /** The scope the server asked for (RFC 6750 §3.1 `insufficient_scope`). */
  readonly missingScope?: string;
  /** Stable error code for transport errors (McpSecureError code). */
  readonly code?: string;
  /** Redacted error text. */
  readonly error?: string;
  /** Size of the result in bytes (serialised JSON), when a result came back. */
  readonly resultSize?: number;
  /**
   * Present when the call ran as a task (MCP 2025-11-25 §Utilities/Tasks): the server's task id and the
   * task's final status (`completed`, `failed`, `cancelled`). One record per call, not per poll.
   */
  readonly task?: { readonly id: string; readonly status: string };
}

/** Everything a record carries before it is chained (what the trail hands to the store). */
export interface AuditDraft {
  readonly id: string;
  /** ISO 8601 start time of the call. */
  readonly time: string;
  readonly durationMs: number;
  readonly who: AuditWho;
  readonly what: AuditWhat;
  readonly outcome: AuditOutcome;
  /** Scopes the token carried when the call started (granted, not requested). */
  readonly scopes: readonly string[];
  /** Present on the audit log's own events instead of a tool call. */
  readonly event?: AuditEvent;
}

/** A stored record: the draft plus its place in the hash chain. */
export interface AuditRecord extends AuditDraft {
  readonly v: number;
  readonly prev: string;
  readonly hash: string;
}

/** One table row of the audit panel (what the index lists and the webview shows). */
export interface AuditRow {
  /** Stable reference to fetch the full record. */
  readonly ref: string;
  /** Epoch milliseconds of the call's start. */
  readonly time: number;
  readonly server: string;
  readonly tool: string;
  readonly user: string;
  readonly outcome: AuditOutcomeKind;
  readonly durationMs: number;
  readonly caller: string;
}
