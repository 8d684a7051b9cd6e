/**
 * The protocol half of the OAuth engine — everything that needs openid-client at run time — loaded
 * by the {@link OAuthEngine} on the first sign-in, refresh, revocation or DPoP proof
 * (`import('./oauthProtocol')`). Reading a stored grant and adding its Bearer header need none of it,
 * so the extension starts without evaluating openid-client; `test/node/mcp/lazySdk.test.ts` checks that.
 */
export { randomState } from 'openid-client';
export { resolveAuthContext, resourceParamsFor } from './authContext';
export { runAuthorizationCodeFlow } from './authorizationCodeFlow';
export { createDpopKey, dpopProofFor, rememberDpopNonce, restoreDpopKey } from './dpop';
export { runClientCredentials, runEnterpriseGrant, runJwtBearer } from './nonInteractiveGrants';
export { refreshStoredGrant } from './refresh';
export { revokeGrantTokens } from './revocation';
export { attemptSignIn } from './signInAttempt';
export { oauthErrorCodeOf } from './tokenErrors';
