import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildOptions } from '../../esbuild.config.mjs';
import { randomUUID } from 'node:crypto';
import type { AuditDraft } from '../../src/core/audit/auditRecord';
import { AuditStoreThread, type AuditStoreThreadOptions } from '../../src/core/audit/auditStoreThread';
import type { ThreadStoreOptions } from '../../src/core/audit/auditThreadProtocol';
import { AuditWitness, FileHeadStore, WITNESS_KEY_NAME } from '../../src/core/audit/auditWitness';
import type { SecretStore } from '../../src/core/ports';
import type { ToolCallContext } from '../../src/core/toolCallObserver';

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'audit-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A fresh temp dir for each test of the calling suite (a `beforeEach` makes it). After each test the
 * store that `opened` returns is closed, unless it was closed here already (a suite keeps its last store
 * in a variable across tests), and the dir is removed. Read `dir` inside a test or hook.
 */
export function tempDirEach(
  opened: () => { close(): Promise<void> } | undefined = () => undefined,
  prefix?: string,
): { readonly dir: string } {
  const closed = new WeakSet<object>();
  let current: ReturnType<typeof tempDir> | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(async () => {
    const store = opened();
    try {
      if (store && !closed.has(store)) {
        closed.add(store);
        await store.close();
      }
    } finally {
      current?.cleanup();
      current = undefined;
    }
  });
  return {
    get dir(): string {
      if (!current) throw new Error('tempDirEach: the temp dir exists only while a test runs');
      return current.dir;
    },
  };
}

let n = 0;
/** A plausible draft; `i` varies server/tool/outcome. */
export function makeDraft(i = n++, over: Partial<AuditDraft> = {}): AuditDraft {
  const outcomes = ['success', 'tool_error', 'denied', 'transport_error'] as const;
  const kind = outcomes[i % 4] ?? 'success';
  return {
    id: randomUUID(),
    time: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    durationMs: 10 + (i % 50),
    who: {
      human: { iss: 'https://as.example', sub: `user-${i % 7}`, displayName: `User ${i % 7}` },
      agent: { kind: 'oauth-client', clientId: 'mcp-secure-vscode' },
      caller: 'palette',
    },
    what: {
      server: {
        id: `srv${i % 3}`,
        name: `Server ${i % 3}`,
        transport: 'http',
        target: `https://mcp${i % 3}.example/mcp`,
        resource: `https://mcp${i % 3}.example/mcp`,
      },
      tool: `tool_${i % 11}`,
      arguments: { ticket: i, query: `find ticket ${i}` },
    },
    outcome: kind === 'success' ? { kind, resultSize: 100 + i } : { kind, error: `failure ${i}` },
    scopes: ['tickets:read'],
    ...over,
  };
}

export function makeContext(over: Partial<ToolCallContext> = {}): ToolCallContext {
  return {
    callId: randomUUID(),
    server: {
      id: 'tickets',
      name: 'Tickets',
      transport: 'http',
      target: 'http://127.0.0.1:1/mcp',
      resource: 'http://127.0.0.1:1/mcp',
      issuer: 'http://127.0.0.1:2',
    },
    tool: 'list_tickets',
    arguments: { status: 'open' },
    caller: 'palette',
    human: { issuer: 'http://127.0.0.1:2', subject: 'alice-sub', displayName: 'Alice' },
    agent: { kind: 'oauth-client', clientId: 'client-123' },
    grantedScopes: ['tickets:read'],
    startedAt: Date.UTC(2026, 0, 1),
    ...over,
  };
}

/** Waits until `pred` holds (polling on the event loop), or fails after `ms`. */
export async function waitFor(pred: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * A SecretStore over a JSON file, so that writer processes and the test share the witness key the way
 * editor windows share SecretStorage (test-only: the file is not encrypted).
 */
export class JsonFileSecretStore implements SecretStore {
  constructor(private readonly path: string) {}
  async get(key: string): Promise<string | undefined> {
    return this.read()[key];
  }
  async store(key: string, value: string): Promise<void> {
    writeFileSync(this.path, JSON.stringify({ ...this.read(), [key]: value }), { mode: 0o600 });
  }
  async delete(key: string): Promise<void> {
    const all = this.read();
    delete all[key];
    writeFileSync(this.path, JSON.stringify(all), { mode: 0o600 });
  }
  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
}

/** A witness whose head and key files live in `outside` (never inside the audit folder). */
export function fileWitness(outside: string): { witness: AuditWitness; headPath: string; keyPath: string } {
  const headPath = join(outside, 'audit-head.json');
  const keyPath = join(outside, 'secrets.json');
  return {
    witness: new AuditWitness(new FileHeadStore(headPath), new JsonFileSecretStore(keyPath)),
    headPath,
    keyPath,
  };
}

const ROOT = join(__dirname, '..', '..');
let bundledThreadScript: string | undefined;

/**
 * The audit thread's program, bundled from src/core/audit/auditThread.ts the way `npm run build` bundles
 * dist/auditWorker.js (a worker cannot load TypeScript through tsx on Node 20), once per test process.
 */
export function auditThreadScript(): string {
  if (bundledThreadScript) return bundledThreadScript;
  const options = buildOptions({ production: false }).find((b) => b.outfile === 'dist/auditWorker.js');
  if (!options) throw new Error('npm run build has no dist/auditWorker.js bundle');
  const outfile = join(ROOT, 'out', 'test', `auditWorker-${process.pid}.js`);
  // bundled in a child Node process: esbuild's in-process service would keep the test process alive
  const build = { ...options, outfile, logLevel: 'warning', sourcemap: false };
  execFileSync(process.execPath, ['-e', `require('esbuild').buildSync(${JSON.stringify(build)})`], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  process.once('exit', () => rmSync(outfile, { force: true }));
  return (bundledThreadScript = outfile);
}

/** The store on its own thread as the editor opens it, witnessed beside `outside` like {@link fileWitness}. */
export function threadStore(
  outside: string,
  dir: string,
  options: Pick<AuditStoreThreadOptions, 'commitDelayMs' | 'busyCommitDelayMs' | 'busyCallsPerSecond'> & {
    store?: Omit<ThreadStoreOptions, 'dir'>;
    secrets?: SecretStore;
  } = {},
): AuditStoreThread {
  const { headPath, keyPath } = fileWitness(outside);
  return new AuditStoreThread({
    script: auditThreadScript(),
    store: { dir, ...options.store },
    witness: { headPath, keyName: WITNESS_KEY_NAME, secrets: options.secrets ?? new JsonFileSecretStore(keyPath) },
    commitDelayMs: options.commitDelayMs,
    busyCommitDelayMs: options.busyCommitDelayMs,
    busyCallsPerSecond: options.busyCallsPerSecond,
  });
}
