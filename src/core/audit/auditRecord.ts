/**
 * The audit record: one per MCP `tools/call` (MCP 2025-11-25, "Tools" → "Calling Tools"), answering
 * who called it, what was called (secrets redacted), when, and with what outcome.
 *
 * Records form a hash chain: `prev` is the `hash` of the previous record (or {@link GENESIS_HASH} for
 * the very first one) and `hash` is SHA-256 (FIPS 180-4) over the canonical JSON serialisation of the
 * record without its `hash` field. Canonical JSON here means: object keys sorted by UTF-16 code unit,
 * no insignificant whitespace, `undefined` members omitted (the idea of RFC 8785 JCS, restricted to the
 * values a record can hold: strings, finite numbers, booleans, null, arrays, plain objects).
 */
import { createHash } from 'node:crypto';
import { AUDIT_OUTCOME_KINDS, type AuditAgent, type AuditDraft, type AuditRecord, type AuditWho } from './auditTypes';

/** Schema version written into every record. */
export const AUDIT_RECORD_VERSION = 1;

/** `prev` of the first record ever written (64 zero hex digits). */
export const GENESIS_HASH = '0'.repeat(64);

export {
  AUDIT_OUTCOME_KINDS,
  type AuditAgent,
  type AuditDraft,
  type AuditEvent,
  type AuditEventType,
  type AuditHuman,
  type AuditOutcome,
  type AuditOutcomeKind,
  type AuditRecord,
  type AuditWhat,
  type AuditWho,
} from './auditTypes';

const INDEX_KEY = /^(0|[1-9]\d*)$/;
const SLOW_PATH = Symbol('slow');

/** A deep copy with keys inserted in sorted order; throws SLOW_PATH when insertion order cannot be trusted. */
function sortedClone(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in audit record');
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') throw SLOW_PATH;
    return value;
  }
  if (Array.isArray(value)) return value.map(sortedClone);
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) throw SLOW_PATH;
  const keys = Object.keys(value).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    // V8 orders integer-like keys numerically whatever the insertion order: use the slow path.
    if (INDEX_KEY.test(k)) throw SLOW_PATH;
    out[k] = sortedClone((value as Record<string, unknown>)[k]);
  }
  return out;
}

/**
 * Canonical JSON (keys sorted by UTF-16 code unit, no whitespace, undefined members omitted); throws on
 * values a record cannot hold. Fast path: sorted clone + native JSON.stringify; slow path otherwise.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(sortedClone(value)) ?? 'null';
  } catch (err) {
    if (err !== SLOW_PATH) throw err;
  }
  return canonicalJsonSlow(value);
}

function canonicalJsonSlow(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number in audit record');
      return String(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++)
          out += `${i ? ',' : ''}${value[i] === undefined ? 'null' : canonicalJsonSlow(value[i])}`;
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJsonSlow(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`cannot serialise ${typeof value} in audit record`);
  }
}

/** SHA-256 (hex) over the canonical JSON of the record without its `hash`. */
export function computeRecordHash(record: Omit<AuditRecord, 'hash'> | AuditRecord): string {
  const { hash: _hash, ...rest } = record as AuditRecord;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Chains a draft after `prev`; the result serialises (canonically) to one JSONL line. */
export function sealRecord(draft: AuditDraft, prev: string): AuditRecord {
  return sealRecordLine(draft, prev).record;
}

/**
 * Chains a draft and returns its canonical line too (one serialisation: `durationMs` is always the
 * first key and `hash` the second, so the hash is spliced in after the first member).
 */
export function sealRecordLine(draft: AuditDraft, prev: string): { record: AuditRecord; line: string } {
  const unsealed = { v: AUDIT_RECORD_VERSION, ...draft, prev };
  const canon = canonicalJson(unsealed);
  const hash = createHash('sha256').update(canon).digest('hex');
  const record = { ...unsealed, hash };
  const comma = canon.indexOf(',');
  const line =
    canon.startsWith('{"durationMs":') && comma > 0 && draft.event === undefined
      ? `${canon.slice(0, comma)},"hash":"${hash}"${canon.slice(comma)}`
      : canonicalJson(record);
  return { record, line };
}

/** Why a stored line is not a valid record (shape only; chain checks live in the store). */
export function recordShapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = value as Partial<AuditRecord>;
  if (typeof r.id !== 'string') return 'missing id';
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return 'missing or invalid time';
  if (typeof r.prev !== 'string' || !/^[0-9a-f]{64}$/.test(r.prev)) return 'missing or invalid prev hash';
  if (typeof r.hash !== 'string' || !/^[0-9a-f]{64}$/.test(r.hash)) return 'missing or invalid hash';
  if (typeof r.what !== 'object' || r.what === null || typeof r.what.tool !== 'string') return 'missing what.tool';
  if (typeof r.what.server !== 'object' || r.what.server === null) return 'missing what.server';
  if (typeof r.who !== 'object' || r.who === null) return 'missing who';
  if (typeof r.outcome !== 'object' || r.outcome === null || !AUDIT_OUTCOME_KINDS.includes(r.outcome.kind)) {
    return 'missing or invalid outcome';
  }
  return undefined;
}

/** A one-line label for the human in a record (display name, else sub). */
export function humanLabel(who: AuditWho): string {
  return who.human?.displayName ?? who.human?.sub ?? '';
}

/** A one-line label for the agent in a record. */
export function agentLabel(agent: AuditAgent): string {
  switch (agent.kind) {
    case 'oauth-client':
      return agent.clientId;
    case 'shared-secret':
      return `shared secret ${agent.fingerprint}`;
    case 'none':
      return '';
  }
}
