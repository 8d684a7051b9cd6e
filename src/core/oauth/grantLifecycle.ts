/**
 * The grant lifecycle behind the OAuth engine (MCP 2025-11-25 / 2026-07-28 §Authorization): sign-in
 * (interactive or a machine grant), the stored grant bound to its server definition, proactive and
 * single-flight refresh, revocation, DPoP keys and the discovered authorization-server context.
 *
 * Internal: the public face is `OAuthEngine` (oauthEngine.ts); the per-request side is
 * `ServerAuthorizer` (serverAuthorizer.ts), which drives this object for one server. Every operation
 * takes the whole `OAuthServer` (id, URL and per-server options) explicitly. The only state kept here
 * is what the protocol itself makes long-lived: the token store, the per-server discovery context and
 * DPoP key (each used only while it matches the server's current definition), and the flights in
 * progress.
 */
import type * as oidc from 'openid-client';
import { McpSecureError, isMcpSecureError } from '../errors';
import { type Clock, type Logger, systemClock } from '../ports';
import type { AuthContext, AuthContextDeps } from './authContext';
import { recordPin } from './clientIssuerPin';
import { forgetClient, forgetClients } from './clientRegistration';
import {
  isClientRejected,
  preregisteredClientRefused,
  refusedRegistrationIssuer,
  registrationForgotten,
} from './clientRecovery';
import { grantMatchesServer } from './grantBinding';
import { LoopbackRedirect } from './loopbackRedirect';
import { discoverProtectedResource } from './protectedResourceMetadata';
import { refreshSkewFor } from './refreshSkew';
import type { RevocationResult } from './revocation';
import { describeSignOut, type SignOutReport } from './signOutReport';
import { Scopes } from './scopes';
import { ServerSessionCache } from './serverSessionCache';
import type { Attempt } from './signInAttempt';
import { grantFromResponse, summarize, TokenStore } from './tokenStore';
import type { GrantSummary, OAuthEngineOptions, OAuthServer, StoredGrant } from './types';
import { SingleFlight } from '../common/async';
import { Emitter } from '../common/event';

/** The openid-client half of the engine (see oauthProtocol.ts), loaded on first use. */
type OAuthProtocol = typeof import('./oauthProtocol');

/** Refresh this long before `expiresAt` (proactive refresh), at most a quarter of the token's lifetime. */
export const DEFAULT_REFRESH_SKEW_MS = 60_000;
/** How long a refused refresh waits for another window's rotated grant before dropping the grant. */
export const ROTATION_SETTLE_MS = 1_500;

/** What a sign-in may carry beyond the server: the 401/403 challenge and explicit scopes. */
export interface SignInOptions {
  signal?: AbortSignal;
  scopes?: string[];
  /** `scope` from the WWW-Authenticate challenge. */
  challengeScope?: string;
  /** `resource_metadata` from the WWW-Authenticate challenge (RFC 9728 §5.1). */
  resourceMetadataUrl?: string;
}

/** The grant lifecycle of every OAuth server of one host (see the file comment). */
export class GrantLifecycle {
  readonly logger: Logger;
  readonly clock: Clock;
  private readonly store: TokenStore;
  private readonly fetchImpl: typeof fetch;
  private readonly grantsChanged = new Emitter<string>();
  /** Fires with the server id whenever a grant is written or removed (this window or, via the store, another). */
  readonly onDidChangeGrants = this.grantsChanged.event;
  /** The per-server discovery context and DPoP key learnt during this run. */
  private readonly sessions = new ServerSessionCache();
  private readonly refreshing = new SingleFlight<string, StoredGrant>();
  private readonly signingIn = new SingleFlight<string, GrantSummary>();
  /** Summaries handed out, per stored grant object (the store hands out the same object until it changes). */
  private readonly summaries = new WeakMap<StoredGrant, GrantSummary>();
  private readonly storeSubscription?: { dispose(): void };
  private protocolModule: Promise<OAuthProtocol> | undefined;

  constructor(private readonly options: OAuthEngineOptions) {
    this.logger = options.logger.child('oauth');
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.store = new TokenStore(options.secrets);
    // Grants change here or in another window: when the store reports changes, it is the single
    // source of change events (so listeners hear each write once); otherwise we emit ourselves.
    this.storeSubscription = options.secrets.onDidChange?.((key) => {
      const id = TokenStore.serverIdOf(key);
      if (id === undefined) return;
      this.grantsChanged.fire(id);
    });
  }

  /** Asked before widening a grant (none: every widening is refused). */
  get consent(): OAuthEngineOptions['consent'] {
    return this.options.consent;
  }

  /**
   * Sign in to `server` (MCP 2025-11-25 §Authorization Flow Steps). Concurrent calls for the same
   * server share one flow. Returns the grant summary (never tokens).
   */
  signIn(server: OAuthServer, opts: SignInOptions = {}): Promise<GrantSummary> {
    return this.signingIn.run(server.id, () => this.runSignIn(server, opts));
  }

  /** The grant issued for this definition of the server (none when the definition changed since). */
  async getGrant(server: OAuthServer): Promise<GrantSummary | undefined> {
    const g = await this.currentGrantWithoutRefresh(server);
    if (!g) return undefined;
    // every tool call asks (the audit's identity): one summary per stored grant, not one per call
    let summary = this.summaries.get(g);
    if (!summary) this.summaries.set(g, (summary = summarize(g)));
    return summary;
  }

  /** The stored access token as is: no refresh, no network (read-only views such as the editor's session list). */
  async storedAccessToken(server: OAuthServer): Promise<string | undefined> {
    return (await this.currentGrantWithoutRefresh(server))?.accessToken;
  }

  /** The current access token, refreshed first (single-flight) when it expires within the skew. */
  async getAccessToken(server: OAuthServer): Promise<string | undefined> {
    return (await this.currentGrant(server))?.accessToken;
  }

  /**
   * RFC 7009 revoke (refresh token, then access token), then delete locally. Reports revocation failure
   * after deleting. A grant issued for an earlier definition of the server is deleted without any
   * request: its tokens are never sent to the server or authorization server the definition names now.
   */
  async signOut(server: OAuthServer): Promise<SignOutReport> {
    const grant = await this.store.load(server.id);
    if (!grant) return { serverId: server.id, hadGrant: false, refreshToken: 'not_held', accessToken: 'not_held' };
    const base = { serverId: server.id, issuer: grant.issuer, hadGrant: true, accessTokenExpiresAt: grant.expiresAt };
    if (!grantMatchesServer(grant, server)) {
      this.logger.warn(
        `forgot the sign-in of ${server.id} issued for its previous definition (${grant.issuer}) without revoking it`,
      );
      await this.forget(server.id);
      return { ...base, refreshToken: grant.refreshToken ? 'not_sent' : 'not_held', accessToken: 'not_sent' };
    }
    let result: RevocationResult;
    try {
      const ctx = await this.contextForGrant(grant, server);
      result = await (await this.protocol()).revokeGrantTokens(ctx, grant, this.logger);
    } catch (err) {
      const failure = isMcpSecureError(err) ? err.message : 'Could not reach the authorization server.';
      result = { refreshToken: grant.refreshToken ? 'failed' : 'not_held', accessToken: 'failed', failures: [failure] };
    } finally {
      await this.forget(server.id);
    }
    const report: SignOutReport = { ...base, refreshToken: result.refreshToken, accessToken: result.accessToken };
    if (result.failures.length) {
      throw new McpSecureError('revocation_failed', `${describeSignOut(report)} ${result.failures.join(' ')}`);
    }
    return report;
  }

  /**
   * Sign out, then forget the dynamic client registration (RFC 7591) the server's sign-ins use, so the
   * next sign-in registers afresh. Returns the issuers whose stored registration was removed.
   */
  async forgetRegistration(server: OAuthServer): Promise<string[]> {
    const issuers = new Set<string>();
    const grant = await this.store.load(server.id);
    if (grant?.clientKind === 'dynamic') issuers.add(grant.issuer);
    const cached = this.sessions.context(server);
    if (cached?.client.kind === 'dynamic') issuers.add(cached.metadata.issuer);
    if (!grant) {
      const prm = await discoverProtectedResource(this.fetchImpl, new URL(server.url), { logger: this.logger }).catch(
        () => undefined,
      );
      for (const issuer of prm?.authorizationServers ?? []) issuers.add(issuer);
    }
    const failure = await this.signOut(server).then(
      () => undefined,
      (err: unknown) => err,
    );
    this.sessions.forgetContext(server.id);
    const removed = await forgetClients(this.options.secrets, [...issuers]);
    if (failure) throw failure;
    return removed;
  }

  dispose(): void {
    this.storeSubscription?.dispose();
    this.store.dispose();
    this.grantsChanged.dispose();
  }

  /** The server's grant, proactively refreshed when near expiry. Permanent refresh failure drops it. */
  async currentGrant(server: OAuthServer): Promise<StoredGrant | undefined> {
    const grant = await this.currentGrantWithoutRefresh(server);
    if (!grant) return undefined;
    const skew = refreshSkewFor(grant, this.options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS);
    if (grant.expiresAt === undefined || grant.expiresAt - skew > this.clock.now()) return grant;
    if (grant.refreshToken) return this.refresh(server, grant.accessToken);
    // Machine grants (client credentials, JWT bearer) have no refresh token: obtain a fresh token.
    if (grant.grant !== 'authorization_code') {
      await this.signIn(server);
      return this.currentGrantWithoutRefresh(server);
    }
    return grant;
  }

  /** The server's grant as stored (no refresh), if it was issued for this definition of the server. */
  async currentGrantWithoutRefresh(server: OAuthServer): Promise<StoredGrant | undefined> {
    const grant = await this.store.load(server.id);
    return grant && grantMatchesServer(grant, server) ? grant : undefined;
  }

  /**
   * Refresh once per server at a time, with the server's own options (client, `resourceParameter`).
   * `staleToken` is the access token the caller saw; if the store already holds a different one
   * (another caller or window refreshed), that one is used instead.
   */
  refresh(server: OAuthServer, staleToken?: string): Promise<StoredGrant> {
    return this.refreshing.run(server.id, () => this.runRefresh(server, staleToken));
  }

  /** The DPoP handle bound to this server's grant, if its token is DPoP-bound. */
  async dpopFor(grant: StoredGrant, server: OAuthServer): Promise<oidc.DPoPHandle | undefined> {
    if (grant.tokenType !== 'DPoP' || !grant.dpopJwk) return undefined;
    const cached = this.sessions.dpopKey(grant);
    if (cached) return cached.handle;
    const ctx = await this.contextForGrant(grant, server);
    const key = await (await this.protocol()).restoreDpopKey(ctx.config, grant.dpopJwk);
    this.sessions.rememberDpopKey(grant.serverId, key);
    return key.handle;
  }

  /**
   * Whether the server's PRM (RFC 9728) now names an authorization server other than the grant's
   * issuer (MCP SEP-2352 authorization-server migration): then refreshing at the old AS is pointless.
   */
  async authorizationServerChanged(
    server: OAuthServer,
    grant: StoredGrant,
    resourceMetadataUrl?: string,
  ): Promise<boolean> {
    try {
      const prm = await discoverProtectedResource(this.fetchImpl, new URL(server.url), {
        resourceMetadataUrl,
        logger: this.logger,
      });
      return prm !== undefined && !prm.authorizationServers.includes(grant.issuer);
    } catch {
      // Let the sign-in path report the discovery problem with its typed error.
      return true;
    }
  }

  /** The resource URL a server's tokens are bound to (falls back to the server URL before sign-in). */
  async resourceOf(server: OAuthServer): Promise<string> {
    const grant = await this.currentGrantWithoutRefresh(server);
    return grant?.resource ?? this.sessions.context(server)?.resource ?? server.url;
  }

  async forget(serverId: string): Promise<void> {
    this.sessions.forget(serverId);
    await this.store.delete(serverId);
    this.emitLocal(serverId);
  }

  /** The protocol functions: openid-client is evaluated on the first sign-in, refresh or revocation, not at start-up. */
  protocol(): Promise<OAuthProtocol> {
    return (this.protocolModule ??= import('./oauthProtocol'));
  }

  // ---- internals ------------------------------------------------------------------------------

  private deps(): AuthContextDeps {
    return {
      fetch: this.fetchImpl,
      secrets: this.options.secrets,
      logger: this.logger,
      clientName: this.options.clientName,
      clientMetadataUrl: this.options.clientMetadataUrl,
      requestTimeoutMs: this.options.requestTimeoutMs,
    };
  }

  private linkedSignal(signal?: AbortSignal): AbortSignal | undefined {
    const all = [signal, this.options.signal].filter((s): s is AbortSignal => !!s);
    return all.length ? AbortSignal.any(all) : undefined;
  }

  private async runSignIn(server: OAuthServer, opts: SignInOptions): Promise<GrantSummary> {
    const options = server.options ?? {};
    const kind = options.grant ?? 'authorization_code';
    const signal = this.linkedSignal(opts.signal);
    const protocol = await this.protocol();
    let redirect: LoopbackRedirect | undefined;
    let state: string | undefined;
    if (kind === 'authorization_code') {
      state = protocol.randomState();
      redirect = new LoopbackRedirect(state, { timeoutMs: this.options.redirectTimeoutMs, signal });
      await redirect.start();
    }
    try {
      const interactive = redirect && state ? { redirect, state } : undefined;
      const attempt = (recheck: boolean): Promise<Attempt> =>
        protocol.attemptSignIn(
          {
            auth: this.deps(),
            opener: this.options.opener,
            remember: (ctx) => this.sessions.rememberContext(server.id, ctx),
          },
          server,
          opts,
          { signal, interactive, recheck },
        );
      // A stored registration the AS refuses is dropped and registered again, once, before the browser is used.
      const { ctx, response, scopes, dpop } = await attempt(true).catch(async (err: unknown) => {
        const issuer = refusedRegistrationIssuer(err);
        if (issuer === undefined) throw err;
        this.logger.warn(`${issuer} refuses the stored client registration; registering again`);
        await forgetClient(this.options.secrets, issuer);
        return attempt(false);
      });
      const grant = grantFromResponse({ server, ctx, response, requested: scopes, kind, dpop, now: this.clock.now() });
      if (dpop && grant.tokenType !== 'DPoP')
        this.logger.warn(`${ctx.metadata.issuer} returned a Bearer token although DPoP was requested`);
      if (ctx.client.kind === 'preregistered') await recordPin(this.options.secrets, server, ctx.metadata.issuer);
      await this.store.save(grant);
      if (dpop) this.sessions.rememberDpopKey(server.id, dpop);
      this.logger.info(
        `signed in to ${server.id} at ${ctx.metadata.issuer}; granted scopes: ${Scopes.of(grant.grantedScopes).display()}`,
      );
      this.emitLocal(server.id);
      return summarize(grant);
    } finally {
      await redirect?.close();
    }
  }

  /**
   * Context for an existing grant (already matched to `server`): its own issuer, rediscovered and
   * compared exactly with `grant.issuer`, and the server's own client — never another AS's credentials.
   */
  private async contextForGrant(grant: StoredGrant, server: OAuthServer): Promise<AuthContext> {
    if (!grantMatchesServer(grant, server)) throw new McpSecureError('not_signed_in', 'Not signed in to this server.');
    const cached = this.sessions.contextForGrant(server, grant);
    if (cached) return cached;
    const ctx = await (
      await this.protocol()
    ).resolveAuthContext(this.deps(), server, {
      knownIssuer: { issuer: grant.issuer, legacy: grant.legacyDiscovery ?? false, resource: grant.resource },
    });
    this.sessions.rememberContext(server.id, ctx);
    return ctx;
  }

  private async runRefresh(server: OAuthServer, staleToken?: string): Promise<StoredGrant> {
    const serverId = server.id;
    const grant = await this.currentGrantWithoutRefresh(server);
    if (!grant) throw new McpSecureError('not_signed_in', 'Not signed in to this server.');
    const skew = refreshSkewFor(grant, this.options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS);
    const fresh = grant.expiresAt === undefined || grant.expiresAt - skew > this.clock.now();
    if (staleToken !== undefined && grant.accessToken !== staleToken && fresh) return grant;
    try {
      const ctx = await this.contextForGrant(grant, server);
      const dpop = await this.dpopFor(grant, server);
      const { refreshStoredGrant, resourceParamsFor } = await this.protocol();
      const next = await refreshStoredGrant(
        ctx,
        grant,
        resourceParamsFor(server.options ?? {}, grant.resource),
        () => this.clock.now(),
        dpop,
      );
      await this.store.save(next);
      this.logger.info(`refreshed the token for ${serverId}`);
      this.emitLocal(serverId);
      return next;
    } catch (err) {
      const refused = await this.clientRefused(server, grant, err);
      if (refused) throw refused;
      if (isMcpSecureError(err, 'refresh_failed_permanent')) {
        // Another window may have rotated the refresh token under us (RFC 9700 §4.14.2 rotation
        // invalidates the old one): its grant is the valid one. Give its write a moment to land.
        const latest = await this.store.rotatedElsewhere(serverId, grant.refreshToken, ROTATION_SETTLE_MS);
        if (latest && grantMatchesServer(latest, server)) return latest;
        this.logger.warn(`refresh for ${serverId} was refused; the sign-in was removed`);
        await this.forget(serverId);
      }
      throw err;
    }
  }

  /**
   * RFC 6749 §5.2 `invalid_client` on refresh: a pre-registered client keeps its grant (the
   * configuration needs fixing, see clientRecovery.ts); a forgotten dynamic registration is dropped
   * together with the grant it issued, so the next sign-in registers again.
   */
  private async clientRefused(
    server: OAuthServer,
    grant: StoredGrant,
    err: unknown,
  ): Promise<McpSecureError | undefined> {
    if (!isClientRejected(err)) return undefined;
    if (grant.clientKind === 'preregistered') return preregisteredClientRefused(grant.clientId, grant.issuer);
    if (grant.clientKind !== 'dynamic') return undefined;
    await forgetClient(this.options.secrets, grant.issuer);
    await this.forget(server.id);
    return registrationForgotten(grant.issuer);
  }

  /** Emit for our own write unless the store already reports it. */
  private emitLocal(serverId: string): void {
    if (!this.storeSubscription) this.grantsChanged.fire(serverId);
  }
}
