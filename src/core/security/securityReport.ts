/**
 * The model of a server security report: one finding per check the engine makes, each with a verdict,
 * the spec section it follows and what to do. Built by `checkServerSecurity` (./securityCheck.ts) and
 * rendered by ./securityReportFormat.ts. Nothing here ever holds a token value.
 */

/** `skip`: the check could not run (an earlier step failed, or nothing to inspect yet — e.g. not signed in). */
export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckId =
  | 'tls'
  | 'challenge'
  | 'prm'
  | 'resource'
  | 'asMetadata'
  | 'issuer'
  | 'pkce'
  | 'iss'
  | 'registration'
  | 'dpop'
  | 'revocation'
  | 'refresh'
  | 'audience'
  | 'scopes';

/** An observed value (server-supplied or read from the stored grant): renderers show it verbatim as code, never as markup. */
export interface Observation {
  readonly label: string;
  readonly value: string;
}

export interface Finding {
  readonly id: CheckId;
  readonly title: string;
  readonly verdict: Verdict;
  /** Our own words about the outcome (no server-supplied text: that goes in `observed`). */
  readonly summary: string;
  readonly observed: readonly Observation[];
  /** The spec sections the check follows. */
  readonly spec: string;
  /** What the server author (or the user) can do; absent on a pass. */
  readonly advice?: string;
}

export interface SecurityReport {
  readonly serverId: string;
  readonly serverUrl: string;
  /** ISO 8601. */
  readonly checkedAt: string;
  readonly findings: readonly Finding[];
  /** How many findings have each verdict (`passed` for pass, … ; named so no key reads like a password field). */
  readonly counts: Readonly<VerdictCounts>;
}

export interface VerdictCounts {
  passed: number;
  warned: number;
  failed: number;
  skipped: number;
}
const COUNT_KEY: Record<Verdict, keyof VerdictCounts> = {
  pass: 'passed',
  warn: 'warned',
  fail: 'failed',
  skip: 'skipped',
};

/** Title and spec section of every check, in report order. */
export const CHECKS: Readonly<Record<CheckId, { readonly title: string; readonly spec: string }>> = {
  tls: { title: 'Transport security (TLS)', spec: 'MCP 2025-11-25 §Communication Security; OAuth 2.1 §1.5' },
  challenge: {
    title: 'WWW-Authenticate challenge',
    spec: 'MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 9728 §5.1',
  },
  prm: { title: 'Protected resource metadata', spec: 'RFC 9728 §3; MCP 2025-11-25 §Authorization Server Discovery' },
  resource: { title: 'Resource binding', spec: 'RFC 9728 §3.3; MCP 2025-11-25 §Canonical Server URI' },
  asMetadata: {
    title: 'Authorization server metadata',
    spec: 'RFC 8414 §3; MCP 2025-11-25 §Authorization Server Metadata Discovery',
  },
  issuer: { title: 'Issuer equality', spec: 'RFC 8414 §3.3' },
  pkce: { title: 'PKCE S256', spec: 'RFC 7636 §4.2; OAuth 2.1 §4.1.1; MCP 2025-11-25 §Authorization Code Protection' },
  iss: { title: 'Authorization response issuer (iss)', spec: 'RFC 9207 §2–3' },
  registration: { title: 'Client registration', spec: 'MCP 2025-11-25 §Client Registration Approaches; RFC 7591' },
  dpop: { title: 'Sender-constrained tokens (DPoP)', spec: 'RFC 9449 §5.1; RFC 9700 §2.2.1' },
  revocation: { title: 'Revocation endpoint', spec: 'RFC 7009 §2; RFC 8414 §2' },
  refresh: { title: 'Refresh policy', spec: 'OAuth 2.1 §4.3; RFC 9700 §4.14' },
  audience: {
    title: 'Audience binding',
    spec: 'RFC 8707 §2; MCP 2025-11-25 §Security Considerations (audience binding and validation)',
  },
  scopes: { title: 'Scopes granted', spec: 'RFC 6749 §3.3; MCP 2025-11-25 §Scope Selection Strategy' },
};

/** A finding for check `id`. */
export function finding(
  id: CheckId,
  verdict: Verdict,
  summary: string,
  observed: Observation[] = [],
  advice?: string,
): Finding {
  const { title, spec } = CHECKS[id];
  return { id, title, verdict, summary, observed, spec, ...(advice ? { advice } : {}) };
}

/** A check that could not run, with the reason in our own words. */
export function skipped(id: CheckId, reason: string): Finding {
  return finding(id, 'skip', reason);
}

/** Assemble the report, in {@link CHECKS} order, with verdict counts. */
export function buildReport(
  serverId: string,
  serverUrl: string,
  checkedAt: Date,
  findings: readonly Finding[],
): SecurityReport {
  const order = Object.keys(CHECKS) as CheckId[];
  const sorted = [...findings].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  const counts: VerdictCounts = { passed: 0, warned: 0, failed: 0, skipped: 0 };
  for (const f of sorted) counts[COUNT_KEY[f.verdict]]++;
  return { serverId, serverUrl, checkedAt: checkedAt.toISOString(), findings: sorted, counts };
}
