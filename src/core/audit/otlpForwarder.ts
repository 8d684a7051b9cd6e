/**
 * Optional forwarder of new audit records to a collector the user configures, as OpenTelemetry logs
 * over OTLP/HTTP with JSON encoding (OTLP specification 1.x, "OTLP/HTTP" → JSON Protobuf Encoding,
 * `POST /v1/logs`). Batches records, retries transient failures (network errors, 429, 502, 503, 504)
 * with exponential backoff honouring `Retry-After`, drops the oldest records beyond a bounded queue,
 * and never blocks or throws into the call path. Records arrive already redacted.
 */
import { McpSecureError } from '../errors';
import { parseEndpointUrl } from '../common/urlPolicy';
import type { Logger } from '../ports';
import { agentLabel, type AuditRecord } from './auditRecord';
import type { AppendedBatch } from './auditStore';
import { Emitter, type Disposable, type Event } from '../common/event';
import { Sequencer } from '../common/async';

export interface OtlpForwarderOptions {
  /** Full logs endpoint, e.g. `http://127.0.0.1:4318/v1/logs`; `http:` only for loopback hosts. */
  readonly url: string;
  /** Extra request headers (collector credentials); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
  readonly batchSize?: number;
  readonly flushIntervalMs?: number;
  readonly maxQueue?: number;
  readonly maxRetries?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly serviceName?: string;
}

export interface OtlpForwarderStats {
  sent: number;
  dropped: number;
  failedBatches: number;
}

/**
 * What the user sees about the export: `idle` before the first send, `ok` after a delivered batch,
 * `failing` while the collector refuses or cannot be reached. `lastError` is built only from our own
 * words, an HTTP status and an errno code (never collector-supplied text or header values).
 */
export interface OtlpExportStatus {
  readonly state: 'idle' | 'ok' | 'failing';
  readonly lastOkAt?: number;
  readonly lastError?: string;
  /** Records queued or in flight, not yet delivered. */
  readonly pending: number;
  readonly sent: number;
  readonly dropped: number;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

/**
 * Parses collector headers in the `OTEL_EXPORTER_OTLP_HEADERS` format (OpenTelemetry "Specify
 * headers": comma-separated `key=value` pairs, values percent-decoded). Names must be RFC 9110
 * tokens, values must not hold control characters. The error never repeats the input (it holds
 * credentials).
 */
export function parseOtlpHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, part] of text.split(',').entries()) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const name = (eq === -1 ? '' : part.slice(0, eq)).trim();
    let value: string;
    try {
      value = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      value = ''; // malformed percent-encoding
    }
    if (!HEADER_NAME.test(name) || FORBIDDEN_HEADERS.has(name.toLowerCase())) {
      throw new McpSecureError(
        'invalid_header',
        `collector header ${i + 1} has no valid name (expected name=value, comma-separated)`,
      );
    }
    // eslint-disable-next-line no-control-regex
    if (value === '' || /[\u0000-\u001f\u007f]/.test(value))
      throw new McpSecureError('invalid_header', `collector header "${name}" has an empty or invalid value`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

type AnyValue =
  { stringValue: string } | { intValue: string } | { doubleValue: number } | { arrayValue: { values: AnyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

const SEVERITY = {
  success: [9, 'INFO'],
  tool_error: [13, 'WARN'],
  denied: [13, 'WARN'],
  transport_error: [17, 'ERROR'],
} as const;

/** Validates the collector URL (https, or http on loopback only). */
export function parseCollectorUrl(raw: string): URL {
  return parseEndpointUrl(raw, 'OTLP collector URL (credentials belong in the export headers)');
}

function attr(key: string, value: string | number | readonly string[] | undefined): KeyValue[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'number')
    return [{ key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }];
  if (typeof value === 'string') return [{ key, value: { stringValue: value } }];
  return [{ key, value: { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } }];
}

/** One audit record as an OTLP LogRecord. */
export function toLogRecord(r: AuditRecord, observedMs: number): Record<string, unknown> {
  const [severityNumber, severityText] = SEVERITY[r.outcome.kind];
  const nanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();
  return {
    timeUnixNano: nanos(Date.parse(r.time)),
    observedTimeUnixNano: nanos(observedMs),
    severityNumber,
    severityText,
    eventName: r.event ? `mcp.audit.${r.event.type}` : 'mcp.tool.call',
    body: { stringValue: `tools/call ${r.what.tool} on ${r.what.server.name}: ${r.outcome.kind}` },
    attributes: [
      ...attr('audit.record.id', r.id),
      ...attr('audit.record.hash', r.hash),
      ...attr('audit.record.prev', r.prev),
      ...attr('audit.event', r.event?.type),
      ...attr('mcp.server.name', r.what.server.name),
      ...attr('mcp.server.target', r.what.server.target),
      ...attr('mcp.server.resource', r.what.server.resource),
      ...attr('mcp.tool.name', r.what.tool),
      ...attr('mcp.tool.arguments', JSON.stringify(r.what.arguments ?? null)),
      ...attr('mcp.caller', r.who.caller),
      ...attr('enduser.id', r.who.human?.sub),
      ...attr('enduser.issuer', r.who.human?.iss),
      ...attr('enduser.name', r.who.human?.displayName),
      ...attr('mcp.agent', agentLabel(r.who.agent)),
      ...attr('mcp.outcome', r.outcome.kind),
      ...attr('error.message', r.outcome.error),
      ...attr('mcp.missing_scope', r.outcome.missingScope),
      ...attr('mcp.result_size', r.outcome.resultSize),
      ...attr('mcp.duration_ms', r.durationMs),
      ...attr('mcp.granted_scopes', r.scopes ?? []),
    ],
  };
}

export class OtlpForwarder implements Disposable {
  private readonly url: URL;
  private readonly queue: AuditRecord[] = [];
  private inFlight = 0;
  private state: OtlpExportStatus['state'] = 'idle';
  private lastOkAt: number | undefined;
  private lastError: string | undefined;
  private readonly changed = new Emitter<OtlpExportStatus>();
  /** Fires whenever the export status changes (queued, delivered, failing). */
  readonly onDidChangeStatus = this.changed.event;
  /** Sends run one at a time; a failed send does not stop later ones. */
  private readonly sends = new Sequencer();
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  readonly stats: OtlpForwarderStats = { sent: 0, dropped: 0, failedBatches: 0 };

  constructor(private readonly options: OtlpForwarderOptions) {
    this.url = parseCollectorUrl(options.url);
    this.logger = options.logger.child('otlp');
  }

  /** Forwards every batch the store appends from now on. */
  attach(onDidAppend: Event<AppendedBatch>): Disposable {
    return onDidAppend((b) => this.enqueue(b.records));
  }

  /** The export status as the user sees it. */
  get status(): OtlpExportStatus {
    return {
      state: this.state,
      lastOkAt: this.lastOkAt,
      lastError: this.lastError,
      pending: this.queue.length + this.inFlight,
      sent: this.stats.sent,
      dropped: this.stats.dropped,
    };
  }

  /** Queues records (synchronous, bounded: the oldest are dropped first). */
  enqueue(records: readonly AuditRecord[]): void {
    if (this.abort.signal.aborted) return;
    this.queue.push(...records);
    const over = this.queue.length - (this.options.maxQueue ?? 10_000);
    if (over > 0) {
      this.queue.splice(0, over);
      this.stats.dropped += over;
    }
    this.changed.fire(this.status);
    if (this.queue.length >= (this.options.batchSize ?? 100)) this.schedule(0);
    else this.schedule(this.options.flushIntervalMs ?? 1000);
  }

  /** Sends everything queued now (with retries); resolves when done or given up. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.sends.queue(() => this.sendAll());
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    this.changed.dispose();
  }

  private setOutcome(ok: boolean, error?: string): void {
    this.state = ok ? 'ok' : 'failing';
    if (ok) {
      this.lastOkAt = Date.now();
      this.lastError = undefined;
    } else {
      this.lastError = error;
    }
    this.changed.fire(this.status);
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref?.();
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length > 0 && !this.abort.signal.aborted) {
      const batch = this.queue.splice(0, this.options.batchSize ?? 100);
      this.inFlight = batch.length;
      const ok = await this.sendWithRetry(batch);
      this.inFlight = 0;
      if (ok) this.stats.sent += batch.length;
      else {
        this.stats.failedBatches++;
        this.stats.dropped += batch.length;
      }
      if (!this.abort.signal.aborted) this.setOutcome(ok, ok ? undefined : this.lastError);
    }
  }

  private body(batch: readonly AuditRecord[]): string {
    const now = Date.now();
    return JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: attr('service.name', this.options.serviceName ?? 'mcp-secure-connections') },
          scopeLogs: [
            { scope: { name: 'mcp-secure.audit', version: '1' }, logRecords: batch.map((r) => toLogRecord(r, now)) },
          ],
        },
      ],
    });
  }

  private async sendWithRetry(batch: readonly AuditRecord[]): Promise<boolean> {
    const doFetch = this.options.fetch ?? fetch;
    const body = this.body(batch);
    const maxRetries = this.options.maxRetries ?? 6;
    for (let attempt = 0; ; attempt++) {
      let retryAfterMs: number | undefined;
      try {
        const res = await doFetch(this.url, {
          method: 'POST',
          body,
          signal: this.abort.signal,
          redirect: 'error',
          headers: { ...this.options.headers, 'content-type': 'application/json' },
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return true;
        if (![429, 502, 503, 504].includes(res.status)) {
          this.lastError = `the collector refused the records (HTTP ${res.status})`;
          this.logger.warn(`collector refused ${batch.length} audit record(s) with HTTP ${res.status}; not retried`);
          return false;
        }
        this.lastError = `the collector is busy (HTTP ${res.status})`;
        const ra = Number(res.headers.get('retry-after'));
        retryAfterMs = Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined;
        this.logger.debug(`collector answered HTTP ${res.status}; retrying`);
      } catch (err) {
        if (this.abort.signal.aborted) return false;
        const code = String((err as { cause?: { code?: string } }).cause?.code ?? 'network error')
          .replace(/[^A-Za-z0-9_ -]/g, '')
          .slice(0, 40);
        this.lastError = `the collector is unreachable (${code})`;
        this.logger.debug(`collector unreachable (${code}); retrying`);
      }
      if (attempt === 0 && this.state !== 'failing') this.setOutcome(false, this.lastError);
      if (attempt >= maxRetries) {
        this.logger.warn(`gave up forwarding ${batch.length} audit record(s) after ${attempt + 1} attempts`);
        return false;
      }
      const base = (this.options.retryBaseMs ?? 500) * 2 ** attempt;
      await this.sleep(Math.min(retryAfterMs ?? base, this.options.retryMaxMs ?? 30_000));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }
}
