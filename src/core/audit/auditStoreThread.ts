/**
 * The audit store on its own thread, seen from the extension host: an {@link AuditWriter} whose
 * store (sealing, lock, write, fdatasync, witnessed head) runs in auditThread.ts, so a tool call never
 * waits on, or competes for the event loop with, the audit log's work.
 *
 * Group commit happens here: the first drafts handed over start a `commitDelayMs` timer, and every
 * draft handed over until it fires crosses to the thread in one message and is written there as one
 * batch (one `write`, one `fdatasync`). While calls arrive faster than `busyCallsPerSecond` (the batch
 * just sent says so), the window is `busyCommitDelayMs` instead: a sustained burst pays a batch's fixed
 * cost a quarter as often; the first window in which fewer calls arrive narrows it again. Durability
 * window: a record reaches the disk at most the window plus one batch write after its call ended
 * (25 ms in the editor; 100 ms only while calls arrive faster than 500 per second); a kill -9 or
 * power loss inside that window loses it, exactly as with {@link AuditStore}'s own group commit.
 * `flush()` and `close()` write at once.
 *
 * What crosses: the drafts as one JSON string (cheap to clone; the thread seals them from their
 * canonical form) and, back, each record's id, `prev` and `hash`: the host rebuilds the records it
 * announces on {@link onDidAppend} from the drafts it sent ({@link recordOf}), byte for byte what the
 * line on disk parses to.
 *
 * The thread starts with the first operation. If it ever dies, the operations waiting on it fail with
 * `audit_write_failed` and the next operation starts a new thread, which re-reads the chain head from
 * disk. The trail keeps the failed records and hands them over again as a `retry` append: under its
 * lock the store looks for their ids among the newest records of the chain and writes only those not
 * there, so a batch the thread had written just before dying is recorded once, not twice (see
 * AuditChain.writeBatch; the ids are looked for among the retried records' count plus 1024 newest).
 */
import { Worker } from 'node:worker_threads';
import { McpSecureError } from '../errors';
import type { SecretStore } from '../ports';
import type { AuditActor } from './auditEvents';
import { recordOf, type AuditDraft, type AuditRecord } from './auditRecord';
import { BUSY_CALLS_PER_S, type AppendedBatch, type StoreReport } from './auditStore';
import {
  fromWire,
  toWire,
  type AppendReply,
  type AuditThreadData,
  type FromThread,
  type StoreCall,
  type ThreadStoreOptions,
  type ToThread,
} from './auditThreadProtocol';
import type { AppendOptions, AppendOutcome, AuditWriter } from './auditWriter';
import type { VerifyResult } from './chainVerifier';
import { Emitter } from '../common/event';

export interface AuditStoreThreadOptions {
  /** The thread's program: `dist/auditWorker.js` in the extension, auditThread.ts under tsx. */
  readonly script: string;
  /** Node options of the thread (default none; tests pass the TypeScript loader). */
  readonly execArgv?: readonly string[];
  readonly store: ThreadStoreOptions;
  /** Witness the head in `headPath` under the HMAC key `keyName` of `secrets`. */
  readonly witness?: { readonly headPath: string; readonly keyName: string; readonly secrets: SecretStore };
  /** Group commit (see the file comment); 0 hands every set of drafts over at once. */
  readonly commitDelayMs?: number;
  /** Group commit while calls arrive faster than `busyCallsPerSecond` (default: `commitDelayMs`, never wider). */
  readonly busyCommitDelayMs?: number;
  /** Calls per second that make the window `busyCommitDelayMs` (default {@link BUSY_CALLS_PER_S}). */
  readonly busyCallsPerSecond?: number;
}

/** Drafts waiting for the group commit, sent as one `append` (a `retry` one when any of them is). */
interface OutgoingBatch {
  readonly drafts: AuditDraft[];
  retry: boolean;
  readonly done: Promise<AppendOutcome>;
  send(): void;
}

interface Waiting {
  resolve(value: unknown): void;
  reject(err: McpSecureError): void;
}

export class AuditStoreThread implements AuditWriter {
  private worker: Worker | undefined;
  /** `threadId` of the running thread, and of the threads that died (a lock they held is abandoned). */
  private workerThreadId = -1;
  private readonly deadThreads: number[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  /** Drafts handed to the thread and not answered yet: the thread's `sealed` batches name them by id. */
  private readonly sent = new Map<string, AuditDraft>();
  private outgoing: OutgoingBatch | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  /** The group-commit window now open (ms), and whether the last one saw calls at the busy rate. */
  private window = 0;
  private busy = false;
  private readonly appended = new Emitter<AppendedBatch>();
  private readonly reported = new Emitter<StoreReport>();
  private secretSub: { dispose(): void } | undefined;
  private closed = false;
  readonly onDidAppend = this.appended.event;
  readonly onDidReport = this.reported.event;

  constructor(private readonly options: AuditStoreThreadOptions) {}

  get dir(): string {
    return this.options.store.dir;
  }

  whenOpen(): Promise<void> {
    return this.call({ op: 'open' }).then(() => undefined);
  }

  appendAll(drafts: readonly AuditDraft[], options: AppendOptions = {}): Promise<AppendOutcome> {
    if (drafts.length === 0) return Promise.resolve({ failed: [] });
    const batch = (this.outgoing ??= this.newBatch());
    batch.drafts.push(...drafts);
    if (options.retry) batch.retry = true;
    const delay = this.nextWindowMs;
    if (delay <= 0) this.commit();
    else if (!this.commitTimer) {
      this.window = delay;
      this.commitTimer = setTimeout(() => this.commit(true), delay);
    }
    return batch.done;
  }

  async flush(): Promise<void> {
    this.commit();
    await this.call({ op: 'flush' });
  }

  async verify(): Promise<VerifyResult> {
    this.commit();
    return (await this.call({ op: 'verify' })) as VerifyResult;
  }

  async clear(actor?: AuditActor): Promise<void> {
    this.commit();
    await this.call({ op: 'clear', ...(actor ? { actor } : {}) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commit();
    if (this.worker) await this.call({ op: 'close' }).catch(() => undefined);
    this.closed = true;
    this.secretSub?.dispose();
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
    this.appended.dispose();
    this.reported.dispose();
  }

  /** The group-commit window (ms) the next drafts handed over will wait: the busy one after a busy window. */
  get nextWindowMs(): number {
    const quiet = this.options.commitDelayMs ?? 0;
    return this.busy ? Math.max(quiet, this.options.busyCommitDelayMs ?? quiet) : quiet;
  }

  /** Hands the drafts waiting for the group commit over to the thread now. */
  private commit(windowEnded = false): void {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const batch = this.outgoing;
    this.outgoing = undefined;
    // the rate seen in a window that ran its course sets the next one (a flush ends a window early: no evidence)
    if (windowEnded && batch)
      this.busy = batch.drafts.length * 1000 >= (this.options.busyCallsPerSecond ?? BUSY_CALLS_PER_S) * this.window;
    batch?.send();
  }

  private newBatch(): OutgoingBatch {
    const drafts: AuditDraft[] = [];
    let send: () => void = () => undefined;
    const done = new Promise<AppendOutcome>((resolve) => {
      send = () => {
        // each draft on its own: one that cannot be serialised (never one from the trail, whose drafts'
        // arguments were serialised when redacted) comes back failed without holding the others back
        const parts: string[] = [];
        const crossing: AuditDraft[] = [];
        const unserialisable: AuditDraft[] = [];
        for (const d of drafts) {
          try {
            parts.push(JSON.stringify(d));
            crossing.push(d);
          } catch {
            unserialisable.push(d);
          }
        }
        const settle = (failed: AuditDraft[], error: McpSecureError | undefined): void => {
          for (const d of crossing) this.sent.delete(d.id);
          if (unserialisable.length > 0) {
            failed.push(...unserialisable);
            error ??= new McpSecureError('audit_write_failed', 'an audit record could not be serialised');
          }
          resolve(error ? { failed, error } : { failed });
        };
        if (crossing.length === 0) return settle([], undefined);
        for (const d of crossing) this.sent.set(d.id, d);
        const json = `[${parts.join(',')}]`;
        this.call({ op: 'append', drafts: json, ...(batch.retry ? { retry: true as const } : {}) }).then(
          (value) => {
            const reply = value as AppendReply;
            settle(
              reply.failed.map((i) => crossing[i] as AuditDraft),
              reply.error && fromWire(reply.error),
            );
          },
          (err: McpSecureError) => settle([...crossing], err),
        );
      };
    });
    const batch: OutgoingBatch = { drafts, retry: false, done, send: () => send() };
    return batch;
  }

  private call(call: StoreCall): Promise<unknown> {
    if (this.closed) return Promise.reject(new McpSecureError('audit_write_failed', 'the audit log is closed'));
    let worker: Worker;
    try {
      worker = this.ensureWorker();
    } catch (err) {
      return Promise.reject(new McpSecureError('audit_write_failed', 'cannot start the audit thread', { cause: err }));
    }
    const id = ++this.nextId;
    // a thread with work in flight keeps the process alive; an idle one never does
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ t: 'call', id, call } satisfies ToThread);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const o = this.options;
    const lock = {
      ...o.store.lock,
      abandonedThreads: [...(o.store.lock?.abandonedThreads ?? []), ...this.deadThreads],
    };
    const data: AuditThreadData = {
      store: { ...o.store, lock },
      ...(o.witness ? { witness: { headPath: o.witness.headPath, keyName: o.witness.keyName } } : {}),
    };
    const worker = new Worker(o.script, { workerData: data, execArgv: [...(o.execArgv ?? [])] });
    this.workerThreadId = worker.threadId;
    worker.unref();
    worker.on('message', (m: FromThread) => this.onMessage(worker, m));
    worker.on('error', (err) => this.onExit(worker, err));
    worker.on('exit', (code) => this.onExit(worker, code));
    if (o.witness && !this.secretSub) {
      const keyName = o.witness.keyName;
      this.secretSub = o.witness.secrets.onDidChange?.((key) => {
        if (key === keyName) this.worker?.postMessage({ t: 'secretChanged', key } satisfies ToThread);
      });
    }
    this.worker = worker;
    return worker;
  }

  private onMessage(worker: Worker, m: FromThread): void {
    switch (m.t) {
      case 'reply': {
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (this.waiting.size === 0) worker.unref();
        if (m.error) w?.reject(fromWire(m.error));
        else w?.resolve(m.value);
        return;
      }
      case 'sealed': {
        // the thread names the drafts it sealed; the records are rebuilt here from the drafts sent
        const records: AuditRecord[] = [];
        for (const s of m.batch.records) {
          const draft = s.record ? undefined : this.sent.get(s.id);
          const record = s.record ?? (draft && recordOf(draft, s.prev, s.hash));
          if (record) records.push(record);
        }
        if (records.length > 0) this.appended.fire({ records, segment: m.batch.segment });
        return;
      }
      case 'report':
        this.reported.fire(m.report);
        return;
      case 'secret':
        void this.answerSecret(worker, m);
        return;
    }
  }

  private async answerSecret(worker: Worker, m: Extract<FromThread, { t: 'secret' }>): Promise<void> {
    const secrets = this.options.witness?.secrets;
    // only the witness key is ever read or written through the thread
    if (!secrets || m.key !== this.options.witness?.keyName) {
      worker.postMessage({ t: 'secretReply', id: m.id, error: toWire(new Error('not the witness key')) });
      return;
    }
    try {
      let value: string | undefined;
      if (m.op === 'get') value = await secrets.get(m.key);
      else if (m.op === 'store') await secrets.store(m.key, m.value ?? '');
      else await secrets.delete(m.key);
      worker.postMessage({ t: 'secretReply', id: m.id, value } satisfies ToThread);
    } catch (err) {
      worker.postMessage({ t: 'secretReply', id: m.id, error: toWire(err) } satisfies ToThread);
    }
  }

  /** The thread died: what waited on it fails; the next operation starts a new one. */
  private onExit(worker: Worker, why: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    // a lock it held is released at once by the next thread, not after the stale period (fileLock.ts)
    this.deadThreads.push(this.workerThreadId);
    if (this.deadThreads.length > 64) this.deadThreads.shift();
    const error = new McpSecureError(
      'audit_write_failed',
      `the audit thread stopped (${typeof why === 'number' ? `exit code ${why}` : toWire(why).message})`,
    );
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }
}
