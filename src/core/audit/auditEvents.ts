/**
 * Drafts for the audit log's own events (see {@link AuditEvent}): they have the shape of a tool-call
 * record (server "Audit log", tool `audit.<type>`) so the panel, queries, export and the OTLP forwarder
 * show them without special cases, plus an `event` member that says what they are.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { ToolCaller } from '../toolCallObserver';
import type { AuditDraft, AuditEventType, AuditHuman, AuditRecord } from './auditRecord';

/** Who asked for a clear (the store adds the local account when no human is given). */
export interface AuditActor {
  readonly caller: ToolCaller;
  readonly human?: AuditHuman;
}

export const AUDIT_EVENT_SERVER = {
  id: 'mcp-secure.audit',
  name: 'Audit log',
  transport: 'local',
  target: 'audit log',
} as const;

/** The local account (`user@host`), for attributing a clear when no signed-in human is known. */
export function localAccount(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

/** A draft for one audit-log event; `details` are stored as its arguments. */
export function eventDraft(
  type: AuditEventType,
  detail: string,
  details: Record<string, unknown>,
  now: number,
  actor?: AuditActor,
): AuditDraft {
  const integrity = type === 'integrity';
  return {
    id: randomUUID(),
    time: new Date(now).toISOString(),
    durationMs: 0,
    who: {
      human: actor ? (actor.human ?? { displayName: localAccount() }) : undefined,
      agent: { kind: 'none' },
      caller: actor?.caller ?? 'audit-store',
    },
    what: { server: { ...AUDIT_EVENT_SERVER }, tool: `audit.${type}`, arguments: details },
    outcome: integrity ? { kind: 'tool_error', code: 'audit_chain_broken', error: detail } : { kind: 'success' },
    scopes: [],
    event: { type, detail },
  };
}

/** True for an `integrity` event: the log was found not to match its witnessed head. */
export function isIntegrityEvent(r: Pick<AuditRecord, 'event'>): boolean {
  return r.event?.type === 'integrity';
}
