/**
 * The hot-path benchmark's world: the fixture authorization server (oidc-provider) and the SDK 1.x
 * tickets MCP server (Streamable HTTP, Bearer JWTs verified against the AS's JWKS) in a CHILD process,
 * so the server's CPU never runs on the client's event loop; a real sign-in through the AS's login
 * and consent forms; and the client variants compared, each with its own connection.
 */
import { auditThreadScript } from '../../test/support/auditHelpers';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { BUSY_GROUP_COMMIT_MS, GROUP_COMMIT_MS } from '../../src/core/audit/auditStore';
import { AuditStoreThread } from '../../src/core/audit/auditStoreThread';
import { AuditTrail } from '../../src/core/audit/auditTrail';
import { witnessKeyName } from '../../src/core/audit/auditWitness';
import { Redactor } from '../../src/core/common/redaction';
import { identityFromGrant } from '../../src/core/grantIdentity';
import { MemoryLogger, MemorySecretStore } from '../../src/core/memoryPorts';
import { ConnectionManager } from '../../src/core/mcp/connectionManager';
import { parseServerDefinition, type HttpServerDefinition } from '../../src/core/mcp/serverDefinition';
import { OAuthEngine, type OAuthServer } from '../../src/core/oauth/oauthEngine';
import type { SecretStore } from '../../src/core/ports';
import type { RequestAuthorizer } from '../../src/core/requestAuthorizer';
import type { ToolCallObserver } from '../../src/core/toolCallObserver';
import { completeAuthorizationWithForms } from '../../test/fixtures/auth/formLogin';

/** One way of calling `list_tickets`. */
export interface Variant {
  readonly name: string;
  call(): Promise<unknown>;
  /** Untimed: waits until background work of earlier calls (audit writes) is done. */
  settle(): Promise<void>;
}

/** A SecretStore that counts reads (in the editor each read is an IPC round trip to the main process). */
export class CountingSecretStore implements SecretStore {
  reads = 0;
  constructor(private readonly inner: MemorySecretStore) {}
  get(key: string): Promise<string | undefined> {
    this.reads++;
    return this.inner.get(key);
  }
  store(key: string, value: string): Promise<void> {
    return this.inner.store(key, value);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  onDidChange(listener: (key: string) => void): { dispose(): void } {
    return this.inner.onDidChange(listener);
  }
}

interface DemoInfo {
  readonly issuer: string;
  readonly httpMcpUrl: string;
  readonly users: { username: string; password: string }[];
}

/** Starts `test/fixtures/demoServers.ts` in a child process and reads its JSON line. */
async function startServers(): Promise<{ info: DemoInfo; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/demoServers.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<DemoInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the demo servers exited (${String(code)})`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as DemoInfo));
  });
  return { info, child };
}

const DEF_ID = 'tickets';

export interface World {
  readonly variants: {
    readonly raw: Variant;
    readonly staticBearer: Variant;
    readonly engine: Variant;
    /** The same stack as `engine` on its own connection: the A/A control that shows the noise floor. */
    readonly engineControl: Variant;
    readonly audited: Variant;
  };
  readonly secrets: CountingSecretStore;
  readonly trail: AuditTrail;
  close(): Promise<void>;
}

/** A manager-backed variant: calls go through `ConnectionManager` → `McpConnection.callTool`. */
async function managerVariant(
  name: string,
  def: HttpServerDefinition,
  authorizer: RequestAuthorizer,
  observers: ToolCallObserver[],
  identity: ConstructorParameters<typeof ConnectionManager>[0]['identityFor'],
  settle: () => Promise<void>,
): Promise<{ variant: Variant; manager: ConnectionManager }> {
  const manager = new ConnectionManager({
    logger: new MemoryLogger(),
    authorizerFor: () => authorizer,
    stdioSecretFor: async () => '',
    observers,
    identityFor: identity,
  });
  const conn = await manager.connect(def);
  await conn.listTools();
  return { manager, variant: { name, call: () => conn.callTool('list_tickets', {}, { caller: 'test' }), settle } };
}

/** Starts the servers, signs in once through the real AS, and connects every variant. */
export async function startWorld(): Promise<World> {
  const { info, child } = await startServers();
  const auditDir = mkdtempSync(join(tmpdir(), 'hotpath-bench-'));
  const memory = new MemorySecretStore();
  const secrets = new CountingSecretStore(memory);
  const user = info.users[0] as { username: string; password: string };
  const engine = new OAuthEngine({
    secrets,
    logger: new MemoryLogger(),
    redirectTimeoutMs: 30_000,
    opener: { open: async (url) => void completeAuthorizationWithForms(url, user) },
  });
  const server: OAuthServer = { id: DEF_ID, url: info.httpMcpUrl };
  await engine.signIn(server);
  const token = await engine.storedAccessToken(server);
  if (!token) throw new Error('the sign-in stored no access token');
  const def = parseServerDefinition({
    id: DEF_ID,
    name: 'Tickets',
    transport: 'http',
    url: info.httpMcpUrl,
  }) as HttpServerDefinition;

  const rawClient = new Client({ name: 'bench-raw', version: '1.0.0' });
  await rawClient.connect(
    new StreamableHTTPClientTransport(new URL(info.httpMcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  await rawClient.listTools();
  const raw: Variant = {
    name: 'raw v2 client',
    call: () => rawClient.callTool({ name: 'list_tickets', arguments: {} }),
    settle: async () => undefined,
  };

  const staticAuthorizer: RequestAuthorizer = {
    headersFor: async () => ({ authorization: `Bearer ${token}` }),
    handleRejection: async () => 'fail',
  };
  const identity = async (): Promise<ReturnType<typeof identityFromGrant>> =>
    identityFromGrant(await engine.getGrant(server));
  const noop = async (): Promise<void> => undefined;
  const s = await managerVariant('ConnectionManager + static', def, staticAuthorizer, [], undefined, noop);
  const e = await managerVariant('+ OAuthEngine', def, engine.authorizerFor(server), [], identity, noop);
  const c = await managerVariant('+ OAuthEngine (A/A control)', def, engine.authorizerFor(server), [], identity, noop);

  // The audit trail exactly as extension.ts opens it: the store on its own thread, witnessed head beside
  // the folder, HMAC key in the SecretStore, the one redactor.
  const dir = join(auditDir, 'audit');
  const commitDelayMs = Number(process.env.BENCH_COMMIT_MS ?? GROUP_COMMIT_MS);
  const busyCommitDelayMs = Number(process.env.BENCH_BUSY_COMMIT_MS ?? BUSY_GROUP_COMMIT_MS);
  const store = new AuditStoreThread({
    // the worker bundled as npm run build bundles dist/auditWorker.js (Node 20 cannot load a .ts worker)
    script: auditThreadScript(),
    store: { dir },
    witness: { headPath: join(auditDir, 'audit-head.json'), keyName: witnessKeyName(dir), secrets },
    commitDelayMs,
    busyCommitDelayMs,
  });
  await store.whenOpen();
  const trail = new AuditTrail({ store, logger: new MemoryLogger(), redactor: new Redactor() });
  const a = await managerVariant('+ AuditStore (audit on)', def, engine.authorizerFor(server), [trail], identity, () =>
    trail.flush(),
  );

  return {
    variants: { raw, staticBearer: s.variant, engine: e.variant, engineControl: c.variant, audited: a.variant },
    secrets,
    trail,
    close: async () => {
      await rawClient.close().catch(() => undefined);
      for (const m of [s.manager, e.manager, c.manager, a.manager]) await m.disposeAll();
      await trail.close();
      engine.dispose();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(auditDir, { recursive: true, force: true });
    },
  };
}
