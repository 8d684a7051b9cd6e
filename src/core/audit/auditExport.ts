/**
 * Export of audit records to JSONL (one stored record per line, chain fields kept) or CSV (RFC 4180
 * quoting; cells that a spreadsheet would evaluate as a formula — leading `=`, `+`, `-`, `@`, tab or
 * CR, per OWASP "CSV Injection" — are prefixed with `'`). Redaction runs again on the way out so a
 * secret registered after a record was written still never leaves.
 */
import { promises as fsp } from 'node:fs';
import { agentLabel, type AuditRecord } from './auditRecord';
import type { AuditFilter, AuditIndex } from './auditIndex';
import type { Redactor } from '../common/redaction';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
  'time',
  'id',
  'durationMs',
  'server',
  'serverId',
  'target',
  'resource',
  'tool',
  'caller',
  'humanIss',
  'humanSub',
  'humanName',
  'agent',
  'outcome',
  'status',
  'missingScope',
  'code',
  'error',
  'resultSize',
  'scopes',
  'arguments',
  'prev',
  'hash',
] as const;

/** One CSV cell: formula-neutralised, then quoted when needed (RFC 4180 §2). */
export function csvCell(value: unknown): string {
  let s = value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The record with its free-text parts redacted again (known secrets registered since). */
export function redactForExport(r: AuditRecord, redactor: Redactor): AuditRecord {
  return {
    ...r,
    what: { ...r.what, tool: redactor.redactText(r.what.tool), arguments: redactor.redactValue(r.what.arguments) },
    outcome: r.outcome.error === undefined ? r.outcome : { ...r.outcome, error: redactor.redactText(r.outcome.error) },
  };
}

export function csvRow(r: AuditRecord): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    time: r.time,
    id: r.id,
    durationMs: r.durationMs,
    server: r.what.server.name,
    serverId: r.what.server.id,
    target: r.what.server.target,
    resource: r.what.server.resource,
    tool: r.what.tool,
    caller: r.who.caller,
    humanIss: r.who.human?.iss,
    humanSub: r.who.human?.sub,
    humanName: r.who.human?.displayName,
    agent: agentLabel(r.who.agent),
    outcome: r.outcome.kind,
    status: r.outcome.status,
    missingScope: r.outcome.missingScope,
    code: r.outcome.code,
    error: r.outcome.error,
    resultSize: r.outcome.resultSize,
    scopes: (r.scopes ?? []).join(' '),
    arguments: JSON.stringify(r.what.arguments ?? null),
    prev: r.prev,
    hash: r.hash,
  };
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',');
}

/** Writes matching records (chronological) to `path`; returns how many were written. */
export async function exportAudit(
  index: AuditIndex,
  filter: AuditFilter,
  format: ExportFormat,
  path: string,
  redactor: Redactor,
): Promise<number> {
  const fh = await fsp.open(path, 'w', 0o600);
  let count = 0;
  let chunk: string[] = format === 'csv' ? [`${CSV_COLUMNS.join(',')}\r\n`] : [];
  let chunkLen = 0;
  try {
    for await (const rec of index.records(filter)) {
      const r = redactForExport(rec, redactor);
      const line = format === 'csv' ? `${csvRow(r)}\r\n` : `${JSON.stringify(r)}\n`;
      chunk.push(line);
      chunkLen += line.length;
      count++;
      if (chunkLen > 1 << 20) {
        await fh.write(chunk.join(''));
        chunk = [];
        chunkLen = 0;
      }
    }
    await fh.write(chunk.join(''));
    await fh.sync();
  } finally {
    await fh.close();
  }
  return count;
}
