import type { CallToolOptions } from '../core/mcp/types';
import type { ProgressReport } from './progress';
import { Strings } from './strings';

type McpProgress = Parameters<NonNullable<CallToolOptions['onProgress']>>[0];

/**
 * Turns a call's MCP progress notifications (MCP 2025-11-25 §Utilities/Progress: `progress`, optional
 * `total` and `message`) into progress-notification reports: the server's message (plain text, through
 * `Strings`/`safeText`) with the percentage, and the bar's increment since the last report. The spec
 * lets `total` be unknown and requires `progress` to increase; a bar never moves back.
 */
export function toolProgressReporter(report: (update: ProgressReport) => void): CallToolOptions['onProgress'] {
  let shown = 0;
  return (p: McpProgress) => {
    const percent =
      p.total !== undefined && p.total > 0 && Number.isFinite(p.progress)
        ? Math.min(100, Math.max(0, Math.floor((p.progress / p.total) * 100)))
        : undefined;
    const increment = percent !== undefined && percent > shown ? percent - shown : undefined;
    if (increment !== undefined) shown = percent ?? shown;
    const message = Strings.toolProgress(typeof p.message === 'string' ? p.message : '', percent);
    report({ ...(message ? { message } : {}), ...(increment !== undefined ? { increment } : {}) });
  };
}
