/**
 * What the status bar item says, computed without the editor API (unit-testable in plain Node): how many
 * servers are connected, and warnings for an expired sign-in (no refresh token to renew it) and an
 * audit log that cannot be written. Names are passed in already through the safe-text function.
 */
import type { ConnectionState } from '../../core/mcp/connectionState';
import { Strings } from '../strings';

export interface ServerStatusInput {
  readonly name: string;
  readonly transport: 'http' | 'stdio';
  readonly state: ConnectionState['kind'];
  /** The grant's expiry (epoch ms) and whether it can renew itself; undefined when not signed in. */
  readonly grant?: { readonly expiresAt?: number; readonly hasRefreshToken?: boolean };
}

/** `ok`, `unavailable` (the trail could not be opened) or `failing` (records waiting in memory). */
export type AuditHealth =
  { readonly kind: 'ok' } | { readonly kind: 'unavailable' } | { readonly kind: 'failing'; readonly unwritten: number };

export interface StatusSummary {
  readonly text: string;
  readonly tooltip: string;
  readonly warning: boolean;
  readonly connected: number;
  readonly total: number;
  /** Names of servers whose sign-in expired and cannot renew itself. */
  readonly expired: readonly string[];
}

/** A sign-in is expired when its access token has run out and there is no refresh token to renew it. */
export function isExpired(grant: ServerStatusInput['grant'], now: number): boolean {
  return grant?.expiresAt !== undefined && grant.expiresAt <= now && !grant.hasRefreshToken;
}

export function summarizeStatus(servers: readonly ServerStatusInput[], audit: AuditHealth, now: number): StatusSummary {
  const connected = servers.filter((s) => s.state === 'running').length;
  const expired = servers.filter((s) => s.transport === 'http' && isExpired(s.grant, now)).map((s) => s.name);
  const auditProblem =
    audit.kind === 'unavailable'
      ? Strings.statusAuditUnavailable
      : audit.kind === 'failing'
        ? Strings.statusAuditFailing(audit.unwritten)
        : undefined;
  const warning = expired.length > 0 || auditProblem !== undefined;
  const count = servers.length === 0 ? '' : ` ${connected}/${servers.length}`;
  const lines = [
    Strings.statusTitle,
    servers.length === 0 ? Strings.statusNoServers : Strings.statusConnected(connected, servers.length),
    ...servers.map((s) => `• ${s.name}: ${Strings.statusState(s.state)}`),
    ...expired.map((name) => Strings.statusExpired(name)),
    ...(auditProblem ? [auditProblem] : []),
    '',
    Strings.statusClick,
  ];
  return {
    text: `${warning ? '$(warning)' : '$(shield)'} ${Strings.statusLabel}${count}`,
    tooltip: lines.join('\n'),
    warning,
    connected,
    total: servers.length,
    expired,
  };
}
