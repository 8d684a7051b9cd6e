import type { Redactor } from '../core/common/redaction';
import { toTerminalText } from './terminalText';

/** One progress notification of a running call (MCP 2025-11-25 §Utilities/Progress). */
export interface ProgressUpdate {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

export interface ProgressLineOptions {
  /** Whether stderr is a terminal: only then is a progress line drawn (pipes and logs stay clean). */
  readonly isTTY: boolean;
  readonly write: (text: string) => void;
  readonly redactor: Redactor;
  /** Terminal width; the line is cut to fit so that `\r` can redraw it. */
  readonly columns?: number;
}

/** Narrowest line drawn, whatever the terminal reports. */
const MIN_COLUMNS = 20;
/** `CR` + "erase in line" (ECMA-48 EL 2): redraw the progress line in place. */
const REDRAW = '\r\u001b[2K';

/**
 * The text of one progress update: `[ 40%] message` with a total, `[3] message` without one (the spec
 * lets `total` be unknown). The server's message is server-controlled: redacted, stripped of control
 * characters and cut to `columns`.
 */
export function formatProgress(update: ProgressUpdate, redactor: Redactor, columns = 80): string {
  const total = update.total !== undefined && update.total > 0 ? update.total : undefined;
  const head =
    total !== undefined
      ? `[${String(Math.min(100, Math.max(0, Math.floor((update.progress / total) * 100)))).padStart(3)}%]`
      : `[${Number.isFinite(update.progress) ? update.progress : '?'}]`;
  // One line: newlines and tabs become spaces, then every terminal-controlling character is escaped.
  const message = update.message ? toTerminalText(redactor.redactText(update.message).replace(/[\t\n]+/g, ' ')) : '';
  const line = message ? `${head} ${message}` : head;
  const width = Math.max(MIN_COLUMNS, columns) - 1;
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/**
 * A progress line on stderr, redrawn in place while a `tools/call` runs, and erased when it ends. When
 * stderr is not a terminal nothing is written at all: scripts reading stderr see only real messages.
 */
export class ProgressLine {
  private drawn = false;

  constructor(private readonly opts: ProgressLineOptions) {}

  readonly update = (update: ProgressUpdate): void => {
    if (!this.opts.isTTY) return;
    this.opts.write(`${REDRAW}${formatProgress(update, this.opts.redactor, this.opts.columns)}`);
    this.drawn = true;
  };

  /** Erase the line (before the result or an error is printed). */
  done(): void {
    if (!this.drawn) return;
    this.opts.write(REDRAW);
    this.drawn = false;
  }
}
