/**
 * A bounded buffer of the most recent text lines (a stdio server's stderr). Retention is limited by
 * both line count and bytes so a chatty or hostile server cannot grow the editor's memory.
 */
export const STDERR_MAX_LINES = 200;
export const STDERR_MAX_BYTES = 64 * 1024;
/** A single stderr line longer than this is cut. */
export const STDERR_MAX_LINE_LENGTH = 2000;

export class LineRingBuffer {
  private readonly lines: string[] = [];
  private bytes = 0;
  private partial = '';

  constructor(
    private readonly maxLines = STDERR_MAX_LINES,
    private readonly maxBytes = STDERR_MAX_BYTES,
  ) {}

  /** Append raw text; returns the complete lines it produced (for logging). */
  push(text: string): string[] {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = (parts.pop() ?? '').slice(-STDERR_MAX_LINE_LENGTH);
    const done = parts.map((l) => (l.length > STDERR_MAX_LINE_LENGTH ? `${l.slice(0, STDERR_MAX_LINE_LENGTH)}…` : l));
    for (const line of done) this.add(line);
    return done;
  }

  /** The retained lines, oldest first (plus any unterminated tail). */
  snapshot(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }

  private add(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    while (this.lines.length > this.maxLines || this.bytes > this.maxBytes) {
      this.bytes -= this.lines.shift()?.length ?? 0;
    }
  }
}
