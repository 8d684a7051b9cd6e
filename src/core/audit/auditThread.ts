/**
 * The audit store's own thread (Node `worker_threads`; bundled as `dist/auditWorker.js`): it runs the
 * {@link AuditStore} — canonical JSON and SHA-256 chaining (FIPS 180-4), the cross-process lock, the
 * `write` + `fdatasync` of each batch and the HMAC-witnessed head — so that none of that work, nor the
 * completion of its dozen file-system calls per batch, runs on the extension host's event loop that
 * the MCP calls use. The host side is {@link AuditStoreThread}; the messages are in
 * auditThreadProtocol.ts. The witness key stays in the host's SecretStore and is read on demand.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { SecretStore } from '../ports';
import { toCanonicalDraft, type AuditDraft } from './auditRecord';
import { AuditStore } from './auditStore';
import { AuditWitness, FileHeadStore } from './auditWitness';
import { blockingFileIo } from './fileIo';
import {
  AUDIT_THREAD_NICE,
  toWire,
  type AppendReply,
  type AuditThreadData,
  type FromThread,
  type SecretOp,
  type StoreCall,
  type ToThread,
} from './auditThreadProtocol';
import { Emitter } from '../common/event';

/** The host's SecretStore, over the thread's port (only the witness uses it: one key). */
class PortSecretStore implements SecretStore {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(v: string | undefined): void; reject(e: Error): void }>();
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly post: (m: FromThread) => void) {}

  get(key: string): Promise<string | undefined> {
    return this.request('get', key);
  }
  async store(key: string, value: string): Promise<void> {
    await this.request('store', key, value);
  }
  async delete(key: string): Promise<void> {
    await this.request('delete', key);
  }

  settle(id: number, value: string | undefined, error: string | undefined): void {
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    if (error !== undefined) w?.reject(new Error(error));
    else w?.resolve(value);
  }

  fireChanged(key: string): void {
    this.changed.fire(key);
  }

  private request(op: SecretOp, key: string, value?: string): Promise<string | undefined> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ t: 'secret', id, op, key, value });
    });
  }
}

async function run(store: AuditStore, call: StoreCall): Promise<unknown> {
  switch (call.op) {
    case 'open':
      return store.whenOpen();
    case 'append': {
      // sealed from their canonical form: no record objects are built here, the host rebuilds its own
      const drafts = (JSON.parse(call.drafts) as AuditDraft[]).map(toCanonicalDraft);
      const outcome = await store.appendCanonical(drafts, { retry: call.retry === true });
      const reply: AppendReply = { failed: outcome.failed, error: outcome.error && toWire(outcome.error) };
      return reply;
    }
    case 'flush':
      return store.flush();
    case 'verify':
      return store.verify();
    case 'clear':
      return store.clear(call.actor);
    case 'close':
      return store.close();
  }
}

/**
 * Lowers this thread's CPU priority on Linux, where the nice value belongs to each thread
 * (setpriority(2), "BUGS"; `os.setPriority(0, …)` acts on the calling thread): when the cores are busy
 * the MCP calls and the servers run first and the audit batch waits its turn. It still gets its share
 * (CFS weights by nice value), so records keep reaching the disk, a little later under load. Elsewhere
 * the same call would lower the whole editor process, so it is not made.
 */
function yieldToTheCalls(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, Math.max(getPriority(0), AUDIT_THREAD_NICE));
  } catch {
    // not permitted (a sandbox): the thread runs at the host's priority, as before
  }
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('auditThread.ts runs only as a worker thread');
  yieldToTheCalls();
  const data = workerData as AuditThreadData;
  const post = (m: FromThread): void => port.postMessage(m);
  const secrets = new PortSecretStore(post);
  const witness = data.witness
    ? new AuditWitness(new FileHeadStore(data.witness.headPath, true, blockingFileIo), secrets, data.witness.keyName)
    : undefined;
  // this thread does nothing but the store's work: its file-system calls block it, not the pool (fileIo.ts)
  const store = AuditStore.create({ ...data.store, witness, blockingIo: true });
  store.onDidSeal((batch) => post({ t: 'sealed', batch }));
  store.onDidReport((report) => post({ t: 'report', report }));
  port.on('message', (m: ToThread) => {
    switch (m.t) {
      case 'call':
        run(store, m.call).then(
          (value) => post({ t: 'reply', id: m.id, value }),
          (err: unknown) => post({ t: 'reply', id: m.id, error: toWire(err) }),
        );
        return;
      case 'secretReply':
        secrets.settle(m.id, m.value, m.error?.message);
        return;
      case 'secretChanged':
        secrets.fireChanged(m.key);
        return;
    }
  });
}

main();
