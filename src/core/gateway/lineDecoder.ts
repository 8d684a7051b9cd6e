import { McpSecureError } from '../errors';

/** Largest single JSON-RPC message the gateway accepts from a bridge (a tools/call result with images fits). */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * Splits a byte stream into newline-delimited messages (MCP transports 2025-11-25 §stdio: "Messages are
 * delimited by newlines, and MUST NOT contain embedded newlines"). Chunks may split a message, or a UTF-8
 * sequence, anywhere; a `\r` before the `\n` is dropped. A line longer than `maxBytes` is an error, so a
 * peer cannot make the extension host buffer without bound.
 */
export class LineDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** The complete lines in `chunk` (plus what was buffered before), as strings without the newline. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, nl);
      this.check(part.length);
      const whole = this.pending.length ? Buffer.concat([...this.pending, part]) : part;
      this.pending = [];
      this.pendingBytes = 0;
      const end = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
      if (end > 0) lines.push(whole.toString('utf8', 0, end));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.check(rest.length);
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return lines;
  }

  private check(adding: number): void {
    if (this.pendingBytes + adding > this.maxBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      throw new McpSecureError('protocol_error', `A gateway message exceeded ${this.maxBytes} bytes.`);
    }
  }
}
