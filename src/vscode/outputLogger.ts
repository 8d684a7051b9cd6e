import type * as vscode from 'vscode';
import { safeLogLine } from '../core/common/safeText';
import type { Logger } from '../core/ports';
import type { Redactor } from '../core/common/redaction';

/**
 * The core `Logger` over one `LogOutputChannel`. Every line carries a component tag (`[oauth]`) and is
 * redacted before it is written; the channel's own level filter decides what is shown. Server-supplied
 * text cannot forge extra lines or hide/reorder characters (`safeLogLine`).
 */
export class OutputLogger implements Logger {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly redactor: Redactor,
    private readonly component = '',
  ) {}

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.format(message, args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.format(message, args));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.format(message, args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.format(message, args));
  }
  error(message: string | Error, ...args: unknown[]): void {
    const text = message instanceof Error ? describeError(message) : message;
    this.channel.error(this.format(text, args));
  }

  child(component: string): Logger {
    return new OutputLogger(this.channel, this.redactor, this.component ? `${this.component}/${component}` : component);
  }

  private format(message: string, args: unknown[]): string {
    const extra = args.map(stringify).join(' ');
    const line = extra ? `${message} ${extra}` : message;
    return this.redactor.redactText(safeLogLine(this.component ? `[${this.component}] ${line}` : line));
  }
}

function describeError(e: Error): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? `${e.name} (${code}): ${e.message}` : `${e.name}: ${e.message}`;
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return describeError(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
