/**
 * Renders a {@link SecurityReport} as Markdown (the editor's read-only report) or plain text (the CLI).
 * Every observed value is server-supplied: in Markdown it becomes an inline code span (no link, no HTML,
 * no autolink) after `clean` — the host's safe-text function — has removed control characters.
 */
import { escapeControls } from '../common/safeText';
import type { Finding, SecurityReport, Verdict } from './securityReport';

/** Symbols every common UI font has (emoji fonts are not everywhere: headless and minimal Linux desktops). */
const BADGE: Record<Verdict, string> = { pass: '✓ Pass', warn: '⚠ Warn', fail: '✗ Fail', skip: '– Not checked' };
const WORD: Record<Verdict, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** A CommonMark code span holding `value` verbatim: the fence is longer than any backtick run inside. */
export function codeSpan(value: string): string {
  // Controls, bidi and invisible characters (core's one safe-text set) could make a value read differently.
  const text = escapeControls(value, () => ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.trim() === '' ? ' ' : '';
  return `${fence}${pad}${text || ' '}${pad}${fence}`;
}

/** Escape our own prose for Markdown (it holds no server text, but `_`, `*` and `<` must stay literal). */
function prose(text: string): string {
  return text.replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1');
}

export interface MarkdownOptions {
  /** The host's safe-text function, applied to every server-supplied value before it is placed in a code span. */
  readonly clean?: (untrusted: string) => string;
  /** The server's display name (user-supplied). */
  readonly serverName?: string;
}

/** The report as a Markdown document: summary, then one section per check. */
export function securityReportMarkdown(report: SecurityReport, opts: MarkdownOptions = {}): string {
  const clean = opts.clean ?? ((s: string) => s);
  const lines = [
    `# Security report: ${prose(opts.serverName ?? report.serverId)}`,
    '',
    `Server ${codeSpan(clean(report.serverUrl))}, checked ${codeSpan(report.checkedAt)}.`,
    '',
    `**${countLine(report, ' · ')}**`,
    '',
    '| Check | Verdict |',
    '| --- | --- |',
    ...report.findings.map((f) => `| ${prose(f.title)} | ${BADGE[f.verdict]} |`),
    '',
  ];
  for (const f of report.findings) lines.push(...findingMarkdown(f, clean));
  lines.push(
    '---',
    '',
    prose(
      "No token, secret or code was sent or shown: the check reads public metadata and the stored grant's claims only.",
    ),
    '',
  );
  return lines.join('\n');
}

function findingMarkdown(f: Finding, clean: (s: string) => string): string[] {
  const out = [`## ${BADGE[f.verdict]} — ${prose(f.title)}`, '', prose(f.summary), ''];
  for (const o of f.observed) out.push(`- ${prose(o.label)}: ${codeSpan(clean(o.value))}`);
  if (f.observed.length) out.push('');
  if (f.advice) out.push(`**What to do:** ${prose(f.advice)}`, '');
  out.push(`*Spec: ${prose(f.spec)}*`, '');
  return out;
}

/** "13 passed · 1 warning · 0 failed · 0 not checked". */
function countLine({ counts }: SecurityReport, separator: string): string {
  return [
    `${counts.passed} passed`,
    `${counts.warned} warning${counts.warned === 1 ? '' : 's'}`,
    `${counts.failed} failed`,
    `${counts.skipped} not checked`,
  ].join(separator);
}

/** The report as terminal text (the CLI strips control sequences on output). */
export function securityReportText(report: SecurityReport): string {
  const lines = [`Security report for ${report.serverUrl} (${report.checkedAt})`, countLine(report, ', '), ''];
  for (const f of report.findings) {
    lines.push(`[${WORD[f.verdict]}] ${f.title}: ${f.summary}`);
    for (const o of f.observed) lines.push(`       ${o.label}: ${o.value}`);
    if (f.advice) lines.push(`       what to do: ${f.advice}`);
    lines.push(`       spec: ${f.spec}`);
  }
  return lines.join('\n');
}
