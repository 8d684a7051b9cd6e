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

/** Chains a draft and returns its canonical line too (one serialisation, see {@link sealCanonical}). */
export function sealRecordLine(draft: AuditDraft, prev: string): { record: AuditRecord; line: string } {
  const { hash, line } = sealCanonical(toCanonicalDraft(draft), prev);
  return { record: recordOf(draft, prev, hash), line };
}

/** The record a draft became once chained after `prev` with `hash` (what its line parses back to). */
export function recordOf(draft: AuditDraft, prev: string, hash: string): AuditRecord {
  // a draft carrying its own v, prev or hash (never built so, but typed loosely in places) does not override the seal
  const {
    v: _v,
    prev: _prev,
    hash: _hash,
    ...members
  } = draft as AuditDraft & Partial<Record<'v' | 'prev' | 'hash', unknown>>;
  return { v: AUDIT_RECORD_VERSION, ...members, prev, hash };
}

/**
 * A draft in the form it is sealed from: its id, and its top-level members with each value already
 * in canonical JSON. The store's thread makes one from each draft the host hands over (as JSON) and
 * seals it with string joins and one SHA-256, building no record object: the host rebuilds the
 * records it announces itself ({@link recordOf}).
 */
export interface CanonicalDraft {
  readonly id: string;
  /** Top-level keys, sorted by UTF-16 code unit; undefined members and `v`/`prev`/`hash` left out. */
  readonly keys: readonly string[];
  /** Canonical JSON of each key's value. */
  readonly values: readonly string[];
}

/**
 * One record of a durable batch as the chain sealed it: its id, `prev` and `hash`, and the whole
 * record when the chain had the draft as an object (a canonical draft's owner rebuilds it with
 * {@link recordOf}).
 */
export interface SealedRecord {
  readonly id: string;
  readonly prev: string;
  readonly hash: string;
  readonly record?: AuditRecord;
}

/** Members the seal adds, as `[key, JSON value]`, in key order. */
type Members = readonly (readonly [string, string])[];

const SEAL_KEYS = new Set(['v', 'prev', 'hash']);

export function toCanonicalDraft(draft: AuditDraft): CanonicalDraft {
  const d = draft as unknown as Record<string, unknown>;
  const keys = Object.keys(d)
    .filter((k) => d[k] !== undefined && !SEAL_KEYS.has(k))
    .sort();
  return { id: draft.id, keys, values: keys.map((k) => canonicalJson(d[k])) };
}

export function isCanonicalDraft(d: AuditDraft | CanonicalDraft): d is CanonicalDraft {
  return Array.isArray((d as Partial<CanonicalDraft>).keys);
}

/** Canonical JSON of the draft's members merged with `extra` (keys sorted on both sides). */
function canonicalWith(d: CanonicalDraft, extra: Members): string {
  let out = '{';
  let i = 0;
  let j = 0;
  while (i < d.keys.length || j < extra.length) {
    const e = extra[j];
    const k = d.keys[i];
    const fromExtra = e !== undefined && (k === undefined || e[0] < k);
    const [key, value] = fromExtra ? e : [k as string, d.values[i] as string];
    if (fromExtra) j++;
    else i++;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${value}`;
  }
  return `${out}}`;
}

/**
 * Chains a canonical draft after `prev`: the hash is SHA-256 over the canonical JSON of the record
 * without `hash` (its members plus `prev` and `v`), and the line is the same with `hash` added — byte
 * for byte what {@link canonicalJson} makes of the whole record.
 */
export function sealCanonical(d: CanonicalDraft, prev: string): { hash: string; line: string } {
  const prevJson = JSON.stringify(prev);
  const version = String(AUDIT_RECORD_VERSION);
  const hash = createHash('sha256')
    .update(
      canonicalWith(d, [
        ['prev', prevJson],
        ['v', version],
      ]),
    )
    .digest('hex');
  const line = canonicalWith(d, [
    ['hash', `"${hash}"`],
    ['prev', prevJson],
    ['v', version],
  ]);
  return { hash, line };
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
