import type { ConnectionIdentity } from './mcp/mcpConnection';
import type { GrantSummary } from './oauth/types';

type GrantIdentityFields = Pick<GrantSummary, 'issuer' | 'subject' | 'displayName' | 'clientId' | 'resource'> & {
  readonly grantedScopes: readonly string[];
};

/**
 * Who is behind a call to an OAuth-protected server, from its current grant: the signed-in human
 * (`iss`, `sub`, display name), the agent (the OAuth client) and the scopes the token carries.
 * No grant means no identity: the agent is `none` and no scope is granted.
 */
export function identityFromGrant(grant: GrantIdentityFields | undefined): ConnectionIdentity {
  if (!grant) return { agent: { kind: 'none' }, grantedScopes: [] };
  return {
    human: {
      issuer: grant.issuer,
      ...(grant.subject ? { subject: grant.subject } : {}),
      ...(grant.displayName ? { displayName: grant.displayName } : {}),
    },
    agent: { kind: 'oauth-client', clientId: grant.clientId },
    grantedScopes: [...grant.grantedScopes],
    resource: grant.resource,
    issuer: grant.issuer,
  };
}

/**
 * Who is behind a call to a stdio server: the agent is the shared secret the server checks (by its
 * fingerprint, never the secret), or `none` for a server launched without one; no human, no scopes.
 */
export function identityFromStdioSecret(fingerprint: string | undefined): ConnectionIdentity {
  return { agent: fingerprint ? { kind: 'shared-secret', fingerprint } : { kind: 'none' }, grantedScopes: [] };
}
