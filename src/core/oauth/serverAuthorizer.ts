/**
 * The RequestAuthorizer the MCP transport uses for one OAuth-protected server.
 *
 * MCP 2025-11-25 §Access Token Usage: the token goes in the `Authorization` header of every request
 * to the MCP server and to nothing else ("MUST NOT send tokens to the MCP server other than ones
 * issued by the MCP server's authorization server" — and, symmetrically, we never send this server's
 * token to a foreign URL). §Scope Challenge Handling: step-up on `403 insufficient_scope` with the
 * union of scopes, with retry limits. Any widening of scopes beyond the current grant — a 403 step-up
 * or a 401 whose challenge names scopes the grant does not hold — asks the user's consent first.
 */
import { McpSecureError, isMcpSecureError } from '../errors';
import {
  MAX_AUTH_RETRIES,
  mayReauthorize,
  mayRetryDpopNonce,
  type AuthorizedRequest,
  type RejectedRequest,
  type RejectionVerdict,
  type RequestAuthorizer,
} from '../requestAuthorizer';
import type { GrantLifecycle } from './grantLifecycle';
import { Scopes } from './scopes';
import type { OAuthServer, StoredGrant } from './types';
import { isWithinResource } from '../common/urlPolicy';
import { challengeParams, isDpopNonceChallenge } from './wwwAuthenticate';

/** Per-server RequestAuthorizer (see the file comment). */
export class ServerAuthorizer implements RequestAuthorizer {
  /** Step-ups asked for the same scope set in a row (guards against transports that reset `attempt`). */
  private lastStepUp: { scopes: string; count: number } | undefined;
  /** The resource URI last parsed (it changes only with the grant): not parsed again per request. */
  private parsedResource: { text: string; url: URL | undefined } | undefined;

  constructor(
    private readonly grants: GrantLifecycle,
    private readonly server: OAuthServer,
  ) {}

  async headersFor(request: AuthorizedRequest): Promise<Record<string, string>> {
    if (!(await this.inResource(request.url))) return {};
    let grant: StoredGrant | undefined;
    try {
      grant = await this.grants.currentGrant(this.server);
    } catch (err) {
      // A dead grant was dropped: send nothing, the 401 path signs in again. A transient failure
      // keeps the grant: present the current token and let the server decide.
      if (isMcpSecureError(err, 'refresh_failed_permanent')) return {};
      if (!isMcpSecureError(err, 'refresh_failed_transient')) throw err;
      grant = await this.grants.currentGrantWithoutRefresh(this.server);
    }
    if (!grant) return {};
    const dpop = await this.grants.dpopFor(grant, this.server);
    if (grant.tokenType === 'DPoP' && dpop) {
      const { dpopProofFor } = await this.grants.protocol();
      return {
        authorization: `DPoP ${grant.accessToken}`,
        dpop: await dpopProofFor(dpop, request.url, request.method, grant.accessToken),
      };
    }
    return { authorization: `Bearer ${grant.accessToken}` };
  }

  async handleRejection(rejection: RejectedRequest, signal?: AbortSignal): Promise<RejectionVerdict> {
    if (!(await this.inResource(rejection.url))) return 'fail';
    const params = challengeParams(rejection.headers);
    if (rejection.status === 401) return this.onUnauthorized(rejection, params, signal);
    if (rejection.status === 403 && params.error === 'insufficient_scope')
      return this.onInsufficientScope(rejection, params, signal);
    return 'fail';
  }

  private async onUnauthorized(
    rejection: RejectedRequest,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<RejectionVerdict> {
    const grant = await this.grants.currentGrantWithoutRefresh(this.server);
    // RFC 9449 §9: the resource server wants a fresh nonce in the proof — retry once with it.
    if (
      grant?.tokenType === 'DPoP' &&
      isDpopNonceChallenge(rejection.headers) &&
      mayRetryDpopNonce(rejection.attempt)
    ) {
      const dpop = await this.grants.dpopFor(grant, this.server);
      if (dpop && (await this.grants.protocol()).rememberDpopNonce(dpop, rejection.url, rejection.headers))
        return 'retry';
    }
    if (!mayReauthorize(rejection.attempt)) return 'fail';
    const options = this.server.options ?? {};
    const interactive = (options.grant ?? 'authorization_code') === 'authorization_code';
    if (!interactive && grant) {
      // Non-interactive grants surface failures without looping (SEP-1933): one fresh token, then fail.
      if (rejection.attempt > 1) return 'fail';
    }
    // A token was rejected: try the refresh token first, unless the server now names another AS.
    if (
      grant?.refreshToken &&
      rejection.attempt === 1 &&
      !(await this.grants.authorizationServerChanged(this.server, grant, params.resource_metadata))
    ) {
      try {
        await this.grants.refresh(this.server, grant.accessToken);
        return 'retry';
      } catch (err) {
        if (!isMcpSecureError(err, 'refresh_failed_permanent')) throw err;
      }
    }
    if (!grant) {
      await this.grants.signIn(this.server, {
        signal,
        challengeScope: params.scope,
        resourceMetadataUrl: params.resource_metadata,
      });
      return 'retry';
    }
    // Re-authorizing while holding a grant: never for more than the grant and the challenge together,
    // and a challenge naming scopes the grant does not hold is a widening that needs consent like a 403.
    const granted = Scopes.of(grant.grantedScopes);
    const requested = granted.union(Scopes.of(params.scope));
    if (!granted.covers(requested)) await this.askConsent(granted, requested);
    await this.grants.signIn(this.server, {
      signal,
      ...(requested.isEmpty ? {} : { scopes: requested.toArray() }),
      resourceMetadataUrl: params.resource_metadata,
    });
    return 'retry';
  }

  private async onInsufficientScope(
    rejection: RejectedRequest,
    params: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<RejectionVerdict> {
    const grant = await this.grants.currentGrantWithoutRefresh(this.server);
    const granted = Scopes.of(grant?.grantedScopes);
    // MCP §Scope Challenge Handling: ask for the union of what we hold and what the challenge names.
    const requested = granted.union(Scopes.of(params.scope));
    const key = requested.toString();
    const count = this.lastStepUp?.scopes === key ? this.lastStepUp.count + 1 : 1;
    if (!mayReauthorize(rejection.attempt) || !mayReauthorize(count)) {
      throw new McpSecureError(
        'step_up_limit',
        `The server still refuses after ${MAX_AUTH_RETRIES} attempts to obtain scopes ${requested.display()}.`,
      );
    }
    this.lastStepUp = { scopes: key, count };
    await this.askConsent(granted, requested);
    await this.grants.signIn(this.server, {
      signal,
      scopes: requested.toArray(),
      resourceMetadataUrl: params.resource_metadata,
    });
    return 'retry';
  }

  /** MCP §Scope Challenge Handling: widening the grant needs the user's consent (none given = refused). */
  private async askConsent(granted: Scopes, requested: Scopes): Promise<void> {
    const consent = this.grants.consent;
    const ok = consent
      ? await consent({ serverId: this.server.id, granted: granted.toArray(), requested: requested.toArray() })
      : false;
    if (!ok)
      throw new McpSecureError('step_up_refused', `Additional permissions (${requested.display()}) were not approved.`);
    this.grants.logger.info(`step-up for ${this.server.id}: requesting ${requested.display()}`);
  }

  private async inResource(url: URL): Promise<boolean> {
    const resource = await this.grants.resourceOf(this.server);
    if (this.parsedResource?.text !== resource) this.parsedResource = { text: resource, url: parseUrl(resource) };
    const r = this.parsedResource.url;
    return r !== undefined && isWithinResource(url, r);
  }
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
