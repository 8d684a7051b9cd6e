/**
 * The audit head witness: where the chain ends (last hash, record count, segment, byte offset) and
 * where it starts (the anchor), kept OUTSIDE the log files and authenticated with HMAC-SHA-256
 * (RFC 2104, FIPS 198-1) under a 256-bit key that lives in the {@link SecretStore} (SecretStorage in
 * the editor). The hash chain alone only detects in-place edits; comparing the log with the witnessed
 * head also detects dropped newest records, dropped oldest records behind a forged `anchor.json`, a
 * full re-hash and a deleted last record disguised as a torn line.
 *
 * The store writes the head under its cross-process lock after every durable batch, so the head never
 * runs ahead of the log; after a crash it lags by at most the one batch written before the kill, and
 * the store accepts log records beyond the head only when they chain from the head.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { SecretStore } from '../ports';
import { canonicalJson } from './auditRecord';
import { promiseFileIo, type FileIo } from './fileIo';

/** Where the retained chain starts (witnessed copy of `anchor.json`). */
export interface WitnessedAnchor {
  readonly firstSegment: number;
  /** `prev` of the first retained record. */
  readonly prevHash: string;
  /** Records of the chain before the first retained one (removed by retention or clear). */
  readonly records: number;
}

/** The witnessed head of the chain. */
export interface AuditHead {
  readonly v: 1;
  /** Records in the chain since the first one ever written (removed ones included). */
  readonly records: number;
  /** Hash of the last record (the anchor's `prevHash` when no record is retained). */
  readonly hash: string;
  /** Segment holding the last record. */
  readonly segment: number;
  /** Byte offset just after the last record's line in `segment`. */
  readonly end: number;
  readonly anchor: WitnessedAnchor;
  /** The anchor before the last change: `anchor.json` may still hold it after a crash mid-change. */
  readonly prevAnchor?: WitnessedAnchor;
}

/** Persistence of the witnessed head (a string), outside the audit folder. */
export interface AuditHeadStore {
  read(): Promise<string | undefined>;
  write(value: string): Promise<void>;
}

/** The witness as loaded, or why it cannot be trusted. */
export type WitnessState =
  | { readonly kind: 'ok'; readonly head: AuditHead }
  /** Neither a head nor a key: the first use of witnessing (a new key was created). */
  | { readonly kind: 'new' }
  | { readonly kind: 'head_missing' }
  | { readonly kind: 'key_missing' }
  | { readonly kind: 'invalid' };

/** SecretStorage key of the HMAC key. */
export const WITNESS_KEY_NAME = 'mcpSecure.audit.witnessKey';

/**
 * The SecretStorage key for the witness of one audit folder. SecretStorage is shared by every
 * profile and remote of the editor while each has its own audit folder: one key per folder keeps a
 * second folder's first use from reading as "head missing".
 */
export function witnessKeyName(auditDir: string): string {
  return `${WITNESS_KEY_NAME}/${createHash('sha256').update(auditDir).digest('hex').slice(0, 16)}`;
}

/**
 * A head store over one 0600 file. Each write is atomic and durable: rewritten in place as one
 * sector (`pwrite` + `fdatasync`; the head is ~450 bytes), or, when that is not safe (first write, a
 * file someone replaced or loosened), through a temp file, `fdatasync` and `rename` (fileIo.ts).
 */
export class FileHeadStore implements AuditHeadStore {
  constructor(
    readonly path: string,
    private readonly durable = true,
    private readonly io: FileIo = promiseFileIo,
  ) {}

  async read(): Promise<string | undefined> {
    try {
      return await fsp.readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async write(value: string): Promise<void> {
    if (!(await this.io.overwriteSector(this.path, value, this.durable)))
      await this.io.replaceAtomically(this.path, value, this.durable);
  }
}

/** An in-memory head store (tests). */
export class MemoryHeadStore implements AuditHeadStore {
  value: string | undefined;
  async read(): Promise<string | undefined> {
    return this.value;
  }
  async write(value: string): Promise<void> {
    this.value = value;
  }
}

function isAnchor(v: unknown): v is WitnessedAnchor {
  const a = v as Partial<WitnessedAnchor> | undefined;
  return (
    typeof a === 'object' &&
    a !== null &&
    Number.isSafeInteger(a.firstSegment) &&
    typeof a.prevHash === 'string' &&
    Number.isSafeInteger(a.records)
  );
}

function isHead(v: unknown): v is AuditHead {
  const h = v as Partial<AuditHead> | undefined;
  return (
    typeof h === 'object' &&
    h !== null &&
    h.v === 1 &&
    Number.isSafeInteger(h.records) &&
    typeof h.hash === 'string' &&
    Number.isSafeInteger(h.segment) &&
    Number.isSafeInteger(h.end) &&
    isAnchor(h.anchor) &&
    (h.prevAnchor === undefined || isAnchor(h.prevAnchor))
  );
}

/** Loads and saves the MAC-authenticated head. */
export class AuditWitness {
  private key: Buffer | undefined;

  constructor(
    private readonly heads: AuditHeadStore,
    private readonly secrets: SecretStore,
    private readonly keyName = WITNESS_KEY_NAME,
  ) {
    // another window may create or replace the key: read it again next time
    secrets.onDidChange?.((changed) => {
      if (changed === keyName) this.key = undefined;
    });
  }

  /**
   * Reads the head and checks its MAC. Creates the key when neither a key nor a head exists; a head
   * without its key (or a key without a head) is reported, never silently replaced.
   */
  async load(): Promise<WitnessState> {
    const stored = await this.heads.read();
    let key = await this.readKey();
    if (!key) {
      if (stored !== undefined) return { kind: 'key_missing' };
      await this.createKey();
      return { kind: 'new' };
    }
    if (stored === undefined) return { kind: 'head_missing' };
    let head = this.open(stored, key);
    if (!head) {
      // another window may have replaced the key: read it again before calling the head forged
      key = await this.readKey(true);
      head = key ? this.open(stored, key) : undefined;
    }
    return head ? { kind: 'ok', head } : { kind: 'invalid' };
  }

  /** Creates a new key (after a reported `key_missing`). */
  async createKey(): Promise<void> {
    const key = randomBytes(32);
    await this.secrets.store(this.keyName, key.toString('base64'));
    this.key = key;
  }

  async save(head: AuditHead): Promise<void> {
    const key = this.key ?? (await this.readKey());
    if (!key) throw new Error('the audit witness key is missing');
    await this.heads.write(JSON.stringify({ head, mac: mac(key, head) }));
  }

  private async readKey(fresh = false): Promise<Buffer | undefined> {
    if (this.key && !fresh) return this.key;
    const text = await this.secrets.get(this.keyName);
    const key = text ? Buffer.from(text, 'base64') : undefined;
    this.key = key && key.length >= 32 ? key : undefined;
    return this.key;
  }

  private open(stored: string, key: Buffer): AuditHead | undefined {
    try {
      const parsed = JSON.parse(stored) as { head?: unknown; mac?: unknown };
      if (!isHead(parsed.head) || typeof parsed.mac !== 'string') return undefined;
      const want = Buffer.from(mac(key, parsed.head), 'hex');
      const got = Buffer.from(parsed.mac, 'hex');
      return got.length === want.length && timingSafeEqual(got, want) ? parsed.head : undefined;
    } catch {
      return undefined;
    }
  }
}

function mac(key: Buffer, head: AuditHead): string {
  return createHmac('sha256', key)
    .update(`mcp-secure-audit-head\n${canonicalJson(head)}`)
    .digest('hex');
}

/** True when two anchors name the same chain start. */
export function sameAnchor(a: WitnessedAnchor | undefined, b: WitnessedAnchor | undefined): boolean {
  if (!a || !b) return a === b;
  return a.firstSegment === b.firstSegment && a.prevHash === b.prevHash && a.records === b.records;
}

/**
 * The head to check the log against, given what the witness holds and the head this process last
 * wrote (`memory`); every reason not to trust the stored head is pushed to `findings`. Undefined means
 * "re-witness the log as it is" (first use, or after a finding that leaves no usable head).
 */
export async function witnessedHead(
  witness: AuditWitness,
  memory: AuditHead | undefined,
  findings: string[],
): Promise<AuditHead | undefined> {
  const state = await witness.load();
  switch (state.kind) {
    case 'ok':
      if (memory && memory.records > state.head.records) {
        findings.push(
          `the witnessed head went back from record #${memory.records} to #${state.head.records} (an older head was restored)`,
        );
        return memory;
      }
      return state.head;
    case 'new':
      return undefined;
    case 'head_missing':
      findings.push('head missing: the witnessed head of the audit log was deleted (or the extension state was reset)');
      return memory;
    case 'key_missing':
      findings.push('the audit witness key was missing from secret storage; a new key was created');
      await witness.createKey();
      return undefined;
    case 'invalid':
      findings.push('the witnessed head failed its MAC check (forged, or written with another key)');
      return undefined;
  }
}
