import type { Logger, LogLevel } from '../core/ports';
import type { Redactor } from '../core/common/redaction';
import { toTerminalText } from './terminalText';

const order: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

/**
 * The CLI's Logger: one line per message on stderr (stdout stays clean for `--json`), every line passed
 * through the Redactor. Without `--verbose` only warnings and errors are written.
 */
export class StderrLogger implements Logger {
  constructor(
    private readonly redactor: Redactor,
    private readonly minLevel: LogLevel = 'warn',
    private readonly component = '',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  trace(message: string, ...args: unknown[]): void {
    this.log('trace', message, args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.log('debug', message, args);
  }
  info(message: string, ...args: unknown[]): void {
    this.log('info', message, args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.log('warn', message, args);
  }
  error(message: string | Error, ...args: unknown[]): void {
    this.log('error', message instanceof Error ? `${message.name}: ${message.message}` : message, args);
  }

  child(component: string): Logger {
    return new StderrLogger(
      this.redactor,
      this.minLevel,
      this.component ? `${this.component}/${component}` : component,
      this.write,
    );
  }

  private log(level: LogLevel, message: string, args: unknown[]): void {
    if (order[level] < order[this.minLevel]) return;
    const extra = args.map(formatArg).join(' ');
    const tag = this.component ? ` [${this.component}]` : '';
    const text = `${new Date().toISOString()} ${level.toUpperCase()}${tag} ${extra ? `${message} ${extra}` : message}`;
    this.write(`${toTerminalText(this.redactor.redactText(text).replace(/[\r\n]+/g, ' '))}\n`);
  }
}

function formatArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
