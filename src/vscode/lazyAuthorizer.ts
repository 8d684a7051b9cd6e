import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import type { RequestAuthorizer } from '../core/requestAuthorizer';
import type { GrantEngine } from './engineContract';
import type { ServerSecrets } from './serverSecrets';

/**
 * The engine's authorizer for a server, created on first use: the static client secret (if any) is
 * read from SecretStorage asynchronously, while the connection manager asks for an authorizer
 * synchronously.
 */
export function lazyAuthorizer(
  engine: GrantEngine,
  secrets: ServerSecrets,
  def: HttpServerDefinition,
): RequestAuthorizer {
  let inner: Promise<RequestAuthorizer> | undefined;
  const get = (): Promise<RequestAuthorizer> =>
    (inner ??= secrets.oauthServerFor(def).then((ref) => engine.authorizerFor(ref)));
  return {
    headersFor: async (request, signal) => (await get()).headersFor(request, signal),
    handleRejection: async (rejection, signal) => (await get()).handleRejection(rejection, signal),
  };
}
