/**
 * The end-to-end world: the demo servers (real AS, real tickets MCP server, real stdio server) and the
 * real core (OAuthEngine + ConnectionManager) wired as the extension wires them, with in-memory ports
 * only (MemorySecretStore, MemoryLogger, ManualClock). The BrowserOpener hands the authorization URL to
 * a user driver: headless Chromium (default) or the plain-HTTP form driver.
 */
import { identityFromGrant } from '../../../src/core/grantIdentity';
import { McpSecureError } from '../../../src/core/errors';
import { ManualClock, MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { ConnectionManager } from '../../../src/core/mcp/connectionManager';
import type { ConnectionIdentity } from '../../../src/core/mcp/mcpConnection';
import {
  parseServerDefinition,
  type HttpServerDefinition,
  type ServerDefinition,
  type StdioServerDefinition,
} from '../../../src/core/mcp/serverDefinition';
import { generateSharedSecret, secretFingerprint } from '../../../src/core/mcp/stdioSecret';
import { OAuthEngine, type OAuthServer, type StepUpConsent } from '../../../src/core/oauth/oauthEngine';
import type { BrowserOpener } from '../../../src/core/ports';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../src/core/toolCallObserver';
import { completeAuthorizationInBrowser } from '../../fixtures/auth/browserLogin';
import { completeAuthorizationWithForms, type FormLoginUser } from '../../fixtures/auth/formLogin';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';

/** Plays the user: every URL the engine opens is completed by a driver, as `user`, accepting or denying. */
export class UserAgentOpener implements BrowserOpener {
  readonly opened: URL[] = [];
  readonly failures: unknown[] = [];
  consent = true;
  private readonly pending = new Set<Promise<void>>();
  private readonly failureWaiters: ((err: unknown) => void)[] = [];

  constructor(
    public user: FormLoginUser,
    private readonly driver: 'browser' | 'forms' = 'browser',
  ) {}

  async open(url: URL): Promise<void> {
    this.opened.push(url);
    const run = this.driver === 'browser' ? completeAuthorizationInBrowser : completeAuthorizationWithForms;
    // Like a real browser: opening returns at once; the user finishes the pages afterwards.
    const flow = run(url, this.user, { consent: this.consent }).then(
      () => undefined,
      (err: unknown) => {
        this.failures.push(err);
        for (const w of this.failureWaiters.splice(0)) w(err);
      },
    );
    this.pending.add(flow);
    void flow.finally(() => this.pending.delete(flow));
  }

  /** Resolves with the next failure of a user session (e.g. a refused login). */
  nextFailure(): Promise<unknown> {
    return new Promise((resolve) => this.failureWaiters.push(resolve));
  }

  /** Waits for every started browser session to finish (so nothing outlives a test). */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

export class RecordingObserver implements ToolCallObserver {
  readonly records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.records.push({ context, outcome });
  }
}

/** Token endpoint responses seen on the wire (a spy around the real fetch, not a mock). */
export interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  scope?: string;
  token_type?: string;
}

export interface E2eWorld {
  readonly demo: DemoServers;
  readonly secrets: MemorySecretStore;
  readonly logger: MemoryLogger;
  readonly clock: ManualClock;
  readonly opener: UserAgentOpener;
  readonly observer: RecordingObserver;
  readonly engine: OAuthEngine;
  readonly manager: ConnectionManager;
  readonly tokenResponses: TokenResponse[];
  readonly consentRequests: Parameters<StepUpConsent>[0][];
  /** What the step-up consent hook answers. */
  allowStepUp: boolean;
  readonly http: HttpServerDefinition;
  readonly httpServer: OAuthServer;
  readonly stdioSecret: string;
  stdio(secretMode?: StdioServerDefinition['secret']['mode']): StdioServerDefinition;
  close(): Promise<void>;
}

export interface E2eWorldOptions {
  readonly driver?: 'browser' | 'forms';
  readonly demo?: DemoServers;
  /** Per-server OAuth options of the HTTP tickets server definition. */
  readonly oauth?: Record<string, unknown>;
  /** An existing store (another window, or the editor after a restart, with what it kept). */
  readonly secrets?: MemorySecretStore;
}

export async function startE2eWorld(opts: E2eWorldOptions = {}): Promise<E2eWorld> {
  const demo = opts.demo ?? (await startDemoServers());
  const secrets = opts.secrets ?? new MemorySecretStore();
  const logger = new MemoryLogger();
  const clock = new ManualClock(Date.now());
  const opener = new UserAgentOpener(demo.users[0]!, opts.driver ?? 'browser');
  const observer = new RecordingObserver();
  const tokenResponses: TokenResponse[] = [];
  const consentRequests: Parameters<StepUpConsent>[0][] = [];
  const stdioSecret = generateSharedSecret();
  const world = { allowStepUp: false } as { allowStepUp: boolean };
  const engine = new OAuthEngine({
    secrets,
    logger: logger.child('oauth'),
    clock,
    opener,
    fetch: spyTokenResponses(demo.issuer, tokenResponses),
    consent: async (req) => {
      consentRequests.push(req);
      return world.allowStepUp;
    },
    redirectTimeoutMs: 60_000,
    clientName: 'MCP Secure e2e',
  });
  const http = parseServerDefinition({
    id: 'tickets',
    name: 'Tickets',
    transport: 'http',
    url: demo.httpMcpUrl,
    ...(opts.oauth ? { oauth: opts.oauth } : {}),
  }) as HttpServerDefinition;
  const toOAuthServer = (def: HttpServerDefinition): OAuthServer => ({
    id: def.id,
    url: def.url,
    // The parsed definition's options are the engine's types as they are. DPoP is opt-in in the engine
    // (`oauth.dpop: true`), so the Bearer-only tickets server gets Bearer tokens by default.
    options: def.oauth,
  });
  const manager = new ConnectionManager({
    logger: logger.child('mcp'),
    clock,
    authorizerFor: (def) => engine.authorizerFor(toOAuthServer(def)),
    stdioSecretFor: async () => stdioSecret,
    identityFor: (def) => identityFor(engine, def, stdioSecret),
    observers: [observer],
    requestTimeoutMs: 30_000,
  });
  const stdio = (mode: StdioServerDefinition['secret']['mode'] = 'both'): StdioServerDefinition =>
    parseServerDefinition({
      id: `notes-${mode}`,
      name: 'Notes',
      transport: 'stdio',
      command: demo.stdio.command,
      args: demo.stdio.args,
      secret: { mode, envVar: demo.stdio.secretEnvVar },
    }) as StdioServerDefinition;
  return Object.assign(world, {
    demo,
    secrets,
    logger,
    clock,
    opener,
    observer,
    engine,
    manager,
    tokenResponses,
    consentRequests,
    http,
    httpServer: toOAuthServer(http),
    stdioSecret,
    stdio,
    close: async () => {
      await manager.disposeAll();
      await opener.settled();
      engine.dispose();
      if (!opts.demo) await demo.close();
    },
  });
}

async function identityFor(
  engine: OAuthEngine,
  def: ServerDefinition,
  stdioSecret: string,
): Promise<ConnectionIdentity> {
  if (def.transport === 'stdio') {
    return { agent: { kind: 'shared-secret', fingerprint: secretFingerprint(stdioSecret) }, grantedScopes: [] };
  }
  return identityFromGrant(await engine.getGrant({ id: def.id, url: def.url, options: def.oauth }));
}

function spyTokenResponses(issuer: string, log: TokenResponse[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin === issuer && url.pathname === '/token' && res.ok) {
      log.push((await res.clone().json()) as TokenResponse);
    }
    return res;
  };
}

/** Every string an error exposes: message, name, code, stack, and its cause chain. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    if (cur instanceof Error) {
      parts.push(cur.name, cur.message, cur.stack ?? '', cur instanceof McpSecureError ? cur.code : '');
      try {
        parts.push(JSON.stringify(cur));
      } catch {
        // circular: the fields above are what is shown anyway
      }
      cur = cur.cause;
    } else {
      parts.push(typeof cur === 'string' ? cur : (JSON.stringify(cur) ?? String(cur)));
      break;
    }
  }
  return parts.join('\n');
}
