import { identityFromGrant, identityFromStdioSecret } from '../core/grantIdentity';
import type { ConnectionIdentity } from '../core/mcp/mcpConnection';
import type { ServerDefinition } from '../core/mcp/serverDefinition';
import type { GrantEngine } from './engineContract';
import type { ServerSecrets } from './serverSecrets';

/**
 * Who is behind a call to `def`, resolved per call: for HTTP the signed-in human and the OAuth client
 * from the current grant (granted scopes, resource and issuer); for stdio the shared-secret fingerprint.
 */
export function identityResolver(
  engine: GrantEngine,
  secrets: ServerSecrets,
): (def: ServerDefinition) => Promise<ConnectionIdentity> {
  return async (def) => {
    if (def.transport === 'stdio') {
      const fingerprint = def.secret.mode === 'none' ? undefined : await secrets.stdioFingerprint(def);
      return identityFromStdioSecret(fingerprint);
    }
    // Which grant applies depends on the URL, client id and issuer, never on the client secret: the
    // definition alone names it, without a secret-storage read (an IPC round trip) on every call.
    return identityFromGrant(await engine.getGrant({ id: def.id, url: def.url, options: def.oauth }));
  };
}
