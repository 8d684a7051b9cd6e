import { identityFromStdioSecret } from '../core/grantIdentity';
import { ConnectionManager } from '../core/mcp/connectionManager';
import { CLI_CLIENT_INFO } from '../core/mcp/protocolVersions';
import type { HttpServerDefinition } from '../core/mcp/serverDefinition';
import { generateSharedSecret, secretFingerprint } from '../core/mcp/stdioSecret';
import type { ElicitationHandler } from '../core/mcp/types';
import type { BrowserOpener, Logger, SecretStore } from '../core/ports';
import type { RequestAuthorizer } from '../core/requestAuthorizer';
import type { ToolCallObserver } from '../core/toolCallObserver';
import type { OAuthServerOptions } from '../core/oauth/oauthEngine';
import { createCliAuth, type CliAuth } from './cliAuth';
import type { Redactor } from '../core/common/redaction';

export interface RuntimeOptions {
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly secrets: SecretStore;
  readonly opener: BrowserOpener;
  readonly requestTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly elicitation?: ElicitationHandler;
  /** CIMD URL used as client_id where the authorization server supports it (SEP-991). */
  readonly clientMetadataUrl?: string;
  readonly observers?: readonly ToolCallObserver[];
  /** The full OAuth options for the server named on the command line. */
  readonly oauth?: OAuthServerOptions;
  readonly allowStepUp: boolean;
}

/**
 * The CLI's composition root: the OAuth engine (src/core/oauth) and the connection manager
 * (src/core/mcp) wired through the RequestAuthorizer seam, with the CLI's ports (store, logger, opener).
 */
export class CliRuntime {
  readonly auth: CliAuth;
  readonly manager: ConnectionManager;
  private readonly stdioFingerprints = new Map<string, string>();

  constructor(private readonly opts: RuntimeOptions) {
    this.auth = createCliAuth({
      secrets: opts.secrets,
      logger: opts.logger.child('oauth'),
      opener: opts.opener,
      signal: opts.signal,
      clientMetadataUrl: opts.clientMetadataUrl,
      options: opts.oauth,
      allowStepUp: opts.allowStepUp,
      redirectTimeoutMs: opts.requestTimeoutMs,
    });
    this.manager = new ConnectionManager({
      logger: opts.logger,
      authorizerFor: (def: HttpServerDefinition): RequestAuthorizer => this.auth.authorizerFor(def),
      // The CLI starts the stdio server itself, so a fresh CSPRNG secret per run is enough; it is
      // registered with the redactor so it can never be printed.
      stdioSecretFor: async (def) => {
        const secret = generateSharedSecret();
        opts.redactor.registerSecret(secret);
        this.stdioFingerprints.set(def.id, secretFingerprint(secret));
        return secret;
      },
      identityFor: async (def) => {
        if (def.transport === 'http') return this.auth.identityFor(def);
        return identityFromStdioSecret(this.stdioFingerprints.get(def.id));
      },
      observers: opts.observers ?? [],
      elicitation: opts.elicitation,
      requestTimeoutMs: opts.requestTimeoutMs,
      clientInfo: CLI_CLIENT_INFO,
    });
  }

  async dispose(): Promise<void> {
    await this.manager.disposeAll();
    this.auth.dispose();
  }
}
