/**
 * One sign-in attempt (MCP 2025-11-25 §Authorization Flow Steps): discovery, the client, the scopes
 * (§Scope Selection Strategy), then the grant named by the server's options. The engine
 * (oauthEngine.ts) stores the result, and repeats the attempt once when a stored dynamic registration
 * is refused (clientRecovery.ts).
 */
import type * as oidc from 'openid-client';
import { McpSecureError } from '../errors';
import type { BrowserOpener } from '../ports';
import { type AuthContext, type AuthContextDeps, resolveAuthContext, resourceParamsFor } from './authContext';
import { runAuthorizationCodeFlow } from './authorizationCodeFlow';
import { checkedOpener } from './clientRecovery';
import { forgetClient } from './clientRegistration';
import { createDpopKey, type DpopKey } from './dpop';
import type { LoopbackRedirect } from './loopbackRedirect';
import { type GrantInput, runClientCredentials, runEnterpriseGrant, runJwtBearer } from './nonInteractiveGrants';
import { type Scopes, selectScopes } from './scopes';
import { oauthErrorCodeOf } from './tokenErrors';
import type { OAuthServer } from './types';

/** What one sign-in attempt produced (before it is stored). */
export interface Attempt {
  ctx: AuthContext;
  response: oidc.TokenEndpointResponse;
  scopes: Scopes;
  dpop?: DpopKey;
}

export interface AttemptDeps {
  readonly auth: AuthContextDeps;
  readonly opener: BrowserOpener;
  /** Keeps the resolved context for later calls (refresh, revocation, DPoP). */
  readonly remember: (ctx: AuthContext) => void;
}

export interface AttemptRun {
  readonly signal?: AbortSignal;
  readonly interactive?: { redirect: LoopbackRedirect; state: string };
  /** Check a stored dynamic registration before the browser opens (clientRecovery.ts checkedOpener). */
  readonly recheck: boolean;
}

/** What a sign-in may carry beyond the server: explicit scopes and the 401/403 challenge. */
export interface AttemptOptions {
  scopes?: string[];
  challengeScope?: string;
  resourceMetadataUrl?: string;
}

/** One sign-in attempt: discovery, client, scopes, then the grant named by the server's options. */
export async function attemptSignIn(
  deps: AttemptDeps,
  server: OAuthServer,
  opts: AttemptOptions,
  run: AttemptRun,
): Promise<Attempt> {
  const options = server.options ?? {};
  const kind = options.grant ?? 'authorization_code';
  const ctx = await resolveAuthContext(deps.auth, server, {
    resourceMetadataUrl: opts.resourceMetadataUrl,
    redirectUri: run.interactive?.redirect.redirectUri,
    signal: run.signal,
  });
  deps.remember(ctx);
  const scopes = selectScopes({
    configured: opts.scopes ?? options.scopes,
    challengeScope: opts.challengeScope,
    prmScopesSupported: ctx.prm?.scopesSupported,
    asScopesSupported: ctx.metadata.scopes_supported,
    offlineAccess: options.offlineAccess ?? kind === 'authorization_code',
  });
  const dpop = ctx.dpopAlg ? await createDpopKey(ctx.config, ctx.dpopAlg) : undefined;
  const resourceParams = resourceParamsFor(options, ctx.resource);
  const input: GrantInput = {
    ctx,
    options,
    scopes,
    resourceParams,
    dpop: dpop?.handle,
    fetch: deps.auth.fetch,
    signal: run.signal,
  };
  const recheck = run.recheck && ctx.client.kind === 'dynamic' && ctx.client.reused === true;
  const opener = recheck ? checkedOpener(deps.opener, deps.auth.fetch, ctx.metadata.issuer) : deps.opener;
  const response = await requestTokens(input, run.interactive, opener, deps).catch(async (err: unknown) => {
    // RFC 6749 §5.2 invalid_client: the AS forgot our registration — register afresh next time.
    if (ctx.client.kind === 'dynamic' && oauthErrorCodeOf(err) === 'invalid_client')
      await forgetClient(deps.auth.secrets, ctx.metadata.issuer);
    throw err;
  });
  return { ctx, response, scopes, dpop };
}

/** Run the grant named by the server's options to a token response. */
async function requestTokens(
  input: GrantInput,
  interactive: AttemptRun['interactive'],
  opener: BrowserOpener,
  deps: AttemptDeps,
): Promise<oidc.TokenEndpointResponse> {
  const { ctx, options } = input;
  switch (options.grant ?? 'authorization_code') {
    case 'client_credentials':
      return runClientCredentials(input);
    case 'jwt_bearer':
      if (!options.assertion)
        throw new McpSecureError('token_request_failed', 'The JWT bearer grant needs an assertion.');
      return runJwtBearer(input, options.assertion);
    case 'token_exchange':
      return runEnterpriseGrant(input);
    default:
      if (!interactive) throw new McpSecureError('internal', 'The authorization code grant needs a redirect listener.');
      return runAuthorizationCodeFlow({
        config: ctx.config,
        metadata: ctx.metadata,
        redirect: interactive.redirect,
        state: interactive.state,
        opener,
        scopes: input.scopes,
        resourceParams: input.resourceParams,
        pkce: options.pkce,
        dpop: input.dpop,
        logger: deps.auth.logger,
      });
  }
}
