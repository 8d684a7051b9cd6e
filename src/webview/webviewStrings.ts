/**
 * Every text of the audit webview, in English. The host translates this table with `vscode.l10n.t`
 * (src/vscode/audit/webviewL10n.ts) and puts the result in the page (`data-l10n` on the root element);
 * `useWebviewStrings` takes it over before the app draws. scripts/l10nBundle.ts collects these English
 * texts into l10n/bundle.l10n.json, so one bundle serves the host and the webview.
 *
 * Plurals are separate entries (`…One` / `…Other`): languages word them differently, not by an "s".
 */
import { formatMessage } from '../core/common/formatMessage';

export const WEBVIEW_STRINGS = {
  // the page before the script runs (written by the host)
  pageTitle: 'Audit Log',
  loading: 'Loading the audit log…',
  // toolbar and filters
  searchPlaceholder: 'Search tool, server, user, error, arguments',
  search: 'Search',
  server: 'Server',
  tool: 'Tool',
  user: 'User',
  outcome: 'Outcome',
  caller: 'Caller',
  from: 'From',
  to: 'To',
  allServers: 'All servers',
  allTools: 'All tools',
  allUsers: 'All users',
  allOutcomes: 'All outcomes',
  allCallers: 'All callers',
  exportLineLabel: 'Export to collector',
  recordDetails: 'Record details',
  refresh: 'Refresh',
  refreshTitle: 'Reload the records',
  verify: 'Verify',
  verifyTitle: 'Verify the hash chain',
  exportCsv: 'Export CSV',
  exportCsvTitle: 'Export the filtered records as CSV',
  exportJsonl: 'Export JSONL',
  exportJsonlTitle: 'Export the filtered records as JSONL',
  clear: 'Clear',
  clearTitle: 'Delete all records (asks first)',
  // status lines
  recordsOne: '1 record',
  recordsOther: '{0} records',
  loadFailed: 'Could not load records: {0}',
  chartFailed: 'Could not draw the chart: {0}',
  verifying: 'Verifying the hash chain…',
  exported: 'Exported {0} record(s).',
  pendingOne: '1 record pending',
  pendingOther: '{0} records pending',
  exportMisconfigured: 'Export to collector: not running ({0})',
  exportIdle: 'Export to collector: waiting for records, {0}',
  exportOk: 'Export to collector: ok, last sent {0}, {1}',
  exportFailing: 'Export to collector: failing ({0}), {1}',
  exportFailingDropped: 'Export to collector: failing ({0}), {1}, {2} not exported',
  unknownError: 'unknown error',
  // record details
  recordGone: 'This record is no longer available.',
  time: 'Time',
  status: 'Status',
  missingScope: 'Missing scope',
  errorCode: 'Error code',
  error: 'Error',
  resultSize: 'Result size',
  bytes: '{0} bytes',
  human: 'Human',
  agent: 'Agent',
  target: 'Target',
  resource: 'Resource',
  grantedScopes: 'Granted scopes',
  recordId: 'Record id',
  hash: 'Hash',
  previousHash: 'Previous hash',
  argumentsRedacted: 'Arguments (redacted)',
  // table
  duration: 'Duration',
  recordsViewport: 'Audit records, newest first',
  recordsGrid: 'Audit records',
  // outcomes
  outcomeSuccess: 'success',
  outcomeToolError: 'tool error',
  outcomeDenied: 'denied',
  outcomeTransportError: 'transport error',
  // chart
  chartTitle: 'Calls over time',
  chartLabel: 'Audit history chart',
  chartHint:
    'Drag across the chart to zoom into a time range; click a bar or press Enter on it to zoom into it; click a name to filter by it.',
  legendLabel: 'Outcomes (toggle a filter)',
  showOnly: 'Show only {0}',
  resetZoom: 'Reset zoom',
  resetZoomTitle: 'Show the whole time range again (Escape on the chart)',
  caption: '{0}, {1} per bar (UTC)',
  callsOne: '1 call',
  callsOther: '{0} calls',
  barsOne: '1 bar',
  barsOther: '{0} bars',
  countsWithOutcomes: '{0}: {1}',
  outcomeCount: '{0} {1}',
  noCalls: 'No calls to show.',
  summaryEmpty: 'Calls over time: no calls match the filter.',
  summary: 'Calls over time, stacked by outcome, {0} to {1} UTC in {2} of {3}: {4}. Busiest: {5} with {6}.',
  barLabel: '{0} to {1} UTC, {2}',
  barsRole: 'bar chart',
  daysOne: '1 day',
  daysOther: '{0} days',
  hoursOne: '1 hour',
  hoursOther: '{0} hours',
  minutesOne: '1 minute',
  minutesOther: '{0} minutes',
  secondsOne: '1 second',
  secondsOther: '{0} seconds',
  milliseconds: '{0} ms',
  // breakdown
  servers: 'Servers',
  tools: 'Tools',
  callers: 'Callers',
  callsByServer: 'Calls by server',
  callsByTool: 'Calls by tool',
  callsByCaller: 'Calls by caller',
  moreNames: '{0} more',
  noName: 'no name',
  othersCount: '{0}: {1}',
  none: 'none',
  sliceLabel: '{0}: {1}',
  showEveryServer: 'Show every server',
  showEveryTool: 'Show every tool',
  showEveryCaller: 'Show every caller',
} as const;

export type WebviewStringKey = keyof typeof WEBVIEW_STRINGS;
export type WebviewStringTable = Record<WebviewStringKey, string>;

let current: WebviewStringTable = { ...WEBVIEW_STRINGS };

/**
 * Takes over the host's translations (the JSON of `data-l10n`). Only known keys with string values
 * are used; anything else, or unreadable JSON, keeps the English text.
 */
export function useWebviewStrings(json: string | undefined): void {
  const next: WebviewStringTable = { ...WEBVIEW_STRINGS };
  try {
    const given: unknown = json ? JSON.parse(json) : {};
    if (typeof given === 'object' && given !== null) {
      for (const key of Object.keys(WEBVIEW_STRINGS) as WebviewStringKey[]) {
        const value = (given as Record<string, unknown>)[key];
        if (typeof value === 'string') next[key] = value;
      }
    }
  } catch {
    // a broken table is not worth a broken panel: English it is
  }
  current = next;
}

/** The current text of `key`, its `{n}` placeholders filled with `args`. */
export function ws(key: WebviewStringKey, ...args: (string | number)[]): string {
  return formatMessage(current[key], ...args);
}

/** `one` for exactly 1, `other` (with the formatted number as `{0}`) otherwise. */
export function plural(n: number, one: WebviewStringKey, other: WebviewStringKey, formatted = String(n)): string {
  return n === 1 ? ws(one) : ws(other, formatted);
}
