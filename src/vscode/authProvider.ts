import * as vscode from 'vscode';
import { McpSecureError, isMcpSecureError } from '../core/errors';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import { describeSignOut } from '../core/oauth/signOutReport';
import type { Logger, SecretStore } from '../core/ports';
import { AUTH_PROVIDER_ID, SERVER_SCOPE_PREFIX } from './constants';
import type { GrantEngine, GrantView } from './engineContract';
import type { ServerRegistry } from './serverRegistry';
import type { ServerSecrets } from './serverSecrets';
import { safeText } from '../core/common/safeText';
import { Strings } from './strings';
import { Sequencer } from '../core/common/async';
import type { Disposable } from '../core/common/lifecycle';

type Session = vscode.AuthenticationSession;

/**
 * The `mcp-secure` authentication provider: one session per HTTP MCP server. Session scopes are the
 * `server:<id>` marker plus the OAuth scopes the token actually carries (granted, not requested), and
 * the account label comes from the token's claims (`preferred_username`/`email`/`sub`).
 * `onDidChangeSessions` is computed by diffing snapshots, so it fires for every change: sign-in and
 * sign-out here, refreshes and step-ups inside the engine, and writes by other windows (SecretStorage
 * `onDidChange`).
 */
export class McpAuthProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;
  private readonly disposables: Disposable[] = [this.emitter];
  private snapshot = new Map<string, Session>();
  private readonly diffs = new Sequencer();
  private pendingDiff: Promise<void> | undefined;
  /** What the last sign-out revoked, as told to the user (core describeSignOut; for the log and tests). */
  lastSignOut: string | undefined;

  constructor(
    private readonly engine: GrantEngine,
    private readonly registry: ServerRegistry,
    private readonly secrets: ServerSecrets,
    store: SecretStore,
    private readonly logger: Logger,
  ) {
    const changed = (): void => void this.scheduleDiff();
    this.disposables.push(engine.onDidChangeGrants(changed), registry.onDidChange(changed));
    if (store.onDidChange) this.disposables.push(store.onDidChange(changed));
    void this.scheduleDiff();
  }

  async getSessions(scopes: readonly string[] | undefined): Promise<Session[]> {
    const wanted = parseScopes(scopes ?? []);
    const servers = this.httpServers().filter((s) => !wanted.serverId || s.id === wanted.serverId);
    const sessions = await Promise.all(servers.map((s) => this.sessionFor(s)));
    return sessions
      .filter((s): s is Session => !!s && wanted.oauth.every((sc) => s.scopes.includes(sc)))
      .map((s) => viewFor(s, scopes));
  }

  /**
   * Accounts menu / `getSession(createIfNone)`: sign in, then announce the session under exactly the
   * scopes asked for — VS Code clears a pending "Sign in with …" request only for an added session
   * whose scopes equal the request's.
   */
  async createSession(scopes: readonly string[]): Promise<Session> {
    const wanted = parseScopes(scopes);
    const server = await this.resolveServer(wanted.serverId);
    const session = viewFor(await this.signIn(server, wanted.oauth), wanted.serverId ? scopes : undefined);
    this.emitter.fire({ added: [session], removed: [], changed: [] });
    return session;
  }

  /** Sign-out (Accounts menu or command): RFC 7009 revocation at the AS, then the grant is deleted. */
  async removeSession(sessionId: string): Promise<void> {
    const def = this.httpServers().find((s) => s.id === sessionId);
    if (!def) throw new McpSecureError('invalid_server_definition', Strings.unknownServer(sessionId));
    const name = def.name;
    try {
      const report = await this.engine.signOut(await this.secrets.oauthServerFor(def));
      this.logger.info(`signed out of ${sessionId}: ${describeSignOut(report)}`);
      this.lastSignOut = describeSignOut(report);
      void vscode.window.showInformationMessage(Strings.signedOutReport(name, this.lastSignOut));
    } catch (e) {
      // The engine removes the grant locally even when the AS refuses revocation: say so, don't fail.
      if (!isMcpSecureError(e, 'revocation_failed')) throw e;
      this.logger.warn(`signed out of ${sessionId} locally; revocation failed`, e);
      void vscode.window.showWarningMessage(Strings.signedOutNotRevoked(name, safeText(e)));
    } finally {
      await this.diffNow();
    }
  }

  /** Sign in with progress and cancellation; the engine runs authorization code + PKCE. */
  async signIn(server: HttpServerDefinition, scopes: readonly string[] = []): Promise<Session> {
    const ref = await this.secrets.oauthServerFor(server);
    const grant = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: Strings.signingIn(server.name), cancellable: true },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          return await this.engine.signIn(ref, {
            signal: abort.signal,
            ...(scopes.length ? { scopes: [...scopes] } : {}),
          });
        } finally {
          sub.dispose();
        }
      },
    );
    const session = this.toSession(server, grant, (await this.engine.storedAccessToken(ref)) ?? '');
    this.logger.info(`signed in to ${server.id} as ${session.account.label}`);
    await this.diffNow();
    return session;
  }

  /** Ask VS Code (silently) for each server's session so the Accounts menu offers "Sign in with …". */
  requestSessionsSilently(): void {
    for (const server of this.httpServers()) {
      vscode.authentication
        .getSession(AUTH_PROVIDER_ID, [`${SERVER_SCOPE_PREFIX}${server.id}`], { createIfNone: false })
        .then(undefined, (e: unknown) => this.logger.debug(`silent session request for ${server.id} failed`, e));
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private httpServers(): HttpServerDefinition[] {
    return this.registry.servers().filter((s): s is HttpServerDefinition => s.transport === 'http');
  }

  private async resolveServer(serverId: string | undefined): Promise<HttpServerDefinition> {
    const servers = this.httpServers();
    if (serverId) {
      const found = servers.find((s) => s.id === serverId);
      if (!found) throw new McpSecureError('invalid_server_definition', Strings.unknownServer(serverId));
      return found;
    }
    if (servers.length === 1 && servers[0]) return servers[0];
    const picked = await vscode.window.showQuickPick(
      servers.map((s) => ({ label: safeText(s.name, 80), description: safeText(s.url, 200), server: s })),
      { placeHolder: Strings.pickServer },
    );
    if (!picked) throw new McpSecureError('authorization_cancelled', Strings.cancelled);
    return picked.server;
  }

  /**
   * Read-only: the session of the grant issued for this definition of the server, with the access token
   * as stored. Listing sessions never refreshes (no network): refresh belongs on the request path,
   * where the server's own options are at hand.
   */
  private async sessionFor(server: HttpServerDefinition): Promise<Session | undefined> {
    const ref = await this.secrets.oauthServerFor(server);
    const grant = await this.engine.getGrant(ref);
    return grant ? this.toSession(server, grant, (await this.engine.storedAccessToken(ref)) ?? '') : undefined;
  }

  private toSession(server: HttpServerDefinition, grant: GrantView, accessToken: string): Session {
    // The label comes from unverified token claims (preferred_username, email, sub) and is shown in the
    // Accounts menu and in notifications: plain text only.
    const label =
      safeText(grant.displayName || grant.subject || Strings.accountFallback(server.name), 80) ||
      Strings.accountFallback(server.name);
    return {
      id: server.id,
      accessToken,
      account: { id: `${grant.issuer}#${grant.subject ?? label}`, label },
      scopes: [`${SERVER_SCOPE_PREFIX}${server.id}`, ...grant.grantedScopes],
    };
  }

  /** Queues one diff; changes arriving before it starts join it instead of queuing another. */
  private scheduleDiff(): Promise<void> {
    this.pendingDiff ??= this.diffs.queue(() => {
      this.pendingDiff = undefined;
      return this.diff();
    });
    return this.pendingDiff;
  }

  private diffNow(): Promise<void> {
    return this.scheduleDiff();
  }

  private async diff(): Promise<void> {
    try {
      const next = new Map<string, Session>();
      for (const s of await this.getSessions(undefined)) next.set(s.id, s);
      const added = [...next.values()].filter((s) => !this.snapshot.has(s.id));
      const removed = [...this.snapshot.values()].filter((s) => !next.has(s.id));
      const changed = [...next.values()].filter((s) => {
        const before = this.snapshot.get(s.id);
        return before !== undefined && sessionKey(before) !== sessionKey(s);
      });
      this.snapshot = next;
      if (added.length || removed.length || changed.length) this.emitter.fire({ added, removed, changed });
    } catch (e) {
      this.logger.warn('could not refresh sessions', e);
    }
  }
}

function parseScopes(scopes: readonly string[]): { serverId?: string; oauth: string[] } {
  const marker = scopes.find((s) => s.startsWith(SERVER_SCOPE_PREFIX));
  const oauth = scopes.filter((s) => !s.startsWith(SERVER_SCOPE_PREFIX));
  return marker ? { serverId: marker.slice(SERVER_SCOPE_PREFIX.length), oauth } : { oauth };
}

/**
 * A session as seen by a caller that asked for `requested` scopes: when the request names a server
 * (`server:<id>`) and is satisfied, the session carries exactly the requested scopes; otherwise (no
 * request) it carries the marker plus the scopes the token actually holds.
 */
function viewFor(session: Session, requested: readonly string[] | undefined): Session {
  if (!requested?.some((s) => s.startsWith(SERVER_SCOPE_PREFIX))) return session;
  return { ...session, scopes: [...requested] };
}

function sessionKey(s: Session): string {
  return JSON.stringify([s.account.id, s.account.label, [...s.scopes].sort(), s.accessToken]);
}
