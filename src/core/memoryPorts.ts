import type { Clock, Logger, LogLevel, SecretStore } from './ports';
import { Emitter } from './common/event';

/** A working in-memory SecretStore (tests, and the CLI's explicit `--store memory`). */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.changed.fire(key);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.changed.fire(key);
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
}

export interface LogLine {
  level: LogLevel;
  component: string;
  text: string;
}

/** A logger that keeps its (already formatted) lines in memory, for assertions. */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly component = '',
  ) {}
  trace(m: string, ...a: unknown[]): void {
    this.push('trace', m, a);
  }
  debug(m: string, ...a: unknown[]): void {
    this.push('debug', m, a);
  }
  info(m: string, ...a: unknown[]): void {
    this.push('info', m, a);
  }
  warn(m: string, ...a: unknown[]): void {
    this.push('warn', m, a);
  }
  error(m: string | Error, ...a: unknown[]): void {
    this.push('error', m instanceof Error ? `${m.name}: ${m.message}` : m, a);
  }
  child(component: string): Logger {
    return new MemoryLogger(this.lines, this.component ? `${this.component}/${component}` : component);
  }
  text(): string {
    return this.lines.map((l) => `[${l.level}] [${l.component}] ${l.text}`).join('\n');
  }
  private push(level: LogLevel, message: string, args: unknown[]): void {
    const extra = args.map((x) => (typeof x === 'string' ? x : safeJson(x))).join(' ');
    this.lines.push({ level, component: this.component, text: extra ? `${message} ${extra}` : message });
  }
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x);
  } catch {
    return String(x);
  }
}
