import { ProtocolErrorCode, SdkError, SdkErrorCode, type Client } from '@modelcontextprotocol/client';
import { McpSecureError } from '../errors';
import type { Logger } from '../ports';
import { buildChildEnvironment } from './childEnvironment';
import { toConnectError } from './errorMapping';
import { NO_SDK_TIMEOUT, withDeadline } from './requestDeadline';
import { defaultResultTypeToComplete } from './resultTypeDefault';
import { stdioProtocol, type ProtocolChoice, type StdioServerDefinition } from './serverDefinition';
import { SecretPresenter, type PresenterRejection } from './stdioSecretPresenter';
import { StdioTransport } from './stdioTransport';

export interface StdioConnectDeps {
  readonly logger: Logger;
  /** Builds the SDK client for the wire the definition chose (the secret is added on the wire, not here). */
  readonly createClient: (protocol: ProtocolChoice) => Client;
  readonly secret: string | undefined;
  /** Values of the definition's `secretEnv`, from secret storage: into the child's environment only. */
  readonly secretEnv?: Readonly<Record<string, string>>;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface StdioConnected {
  readonly client: Client;
  readonly transport: StdioTransport;
}

/**
 * Start a stdio server and open the MCP session on the wire its definition names (`protocol`, default
 * 2025-11-25): the `initialize` handshake (MCP 2025-11-25 §Lifecycle), or the stateless 2026-07-28 wire
 * (`server/discover`, no handshake), or `auto` (probe in place, then fall back to `initialize`).
 * The secret goes into the child's environment (`env`/`both`) and is presented in the protocol
 * (`handshake`/`both`: see {@link SecretPresenter}) — never into argv. A server that refuses, exits or
 * speaks no wire in common is reported with a typed error.
 */
export async function connectStdio(def: StdioServerDefinition, deps: StdioConnectDeps): Promise<StdioConnected> {
  const mode = def.secret.mode;
  const protocol = stdioProtocol(def);
  const inEnv = deps.secret !== undefined && (mode === 'env' || mode === 'both');
  const inProtocol = deps.secret !== undefined && (mode === 'handshake' || mode === 'both');
  const presenter = new SecretPresenter(inProtocol ? deps.secret : undefined);
  const env = buildChildEnvironment({
    definitionEnv: { ...def.env, ...deps.secretEnv },
    secret: inEnv && deps.secret ? { name: def.secret.envVar, value: deps.secret } : undefined,
  });
  const transport = new StdioTransport(
    { command: def.command, args: def.args, cwd: def.cwd, env },
    deps.logger,
    [...(deps.secret ? [deps.secret] : []), ...Object.values(deps.secretEnv ?? {})],
    presenter,
  );
  const client = deps.createClient(protocol);
  defaultResultTypeToComplete(transport, () => client.getProtocolEra() === 'modern');
  try {
    await withDeadline(deps.requestTimeoutMs, undefined, deps.signal, (signal) =>
      client.connect(transport, { timeout: NO_SDK_TIMEOUT, signal }),
    );
    presenter.connected();
    return { client, transport };
  } catch (err) {
    await transport.close().catch(() => undefined);
    const typed = stdioRefusal(err, protocol, presenter) ?? toConnectError(err, { exited: transport.exitInfo });
    if (['protocol_error', 'server_exited', 'handshake_rejected', 'protocol_mismatch'].includes(typed.code)) {
      const tail = transport.stderrTail().slice(-1)[0];
      deps.logger.warn(`stdio server refused the connection${tail ? `; last stderr line: ${tail}` : ''}`);
    }
    throw typed;
  }
}

/**
 * A refusal the generic mapping cannot explain: the server and the chosen wire have nothing in common
 * (`protocol_mismatch`, naming the setting that fixes it), or the server answered the opening request
 * that carried the secret with an error (`handshake_rejected`, with the server's sanitised message).
 */
function stdioRefusal(err: unknown, protocol: ProtocolChoice, presenter: SecretPresenter): McpSecureError | undefined {
  const rejection = presenter.rejection;
  // A 2025-only server answers the probe `server/discover` with "method not found" (JSON-RPC -32601).
  const noDiscover = rejection?.method === 'server/discover' && rejection.code === ProtocolErrorCode.MethodNotFound;
  if (protocol === '2026-07-28' && (noDiscover || isEraFailure(err)) && !isRefusal(rejection)) {
    return mismatch(
      'The MCP server does not speak protocol 2026-07-28 (it does not answer server/discover)',
      protocol,
      err,
    );
  }
  if (rejection?.code === ProtocolErrorCode.UnsupportedProtocolVersion || isUnsupportedVersion(err)) {
    return mismatch(
      protocol === '2026-07-28'
        ? 'The MCP server does not speak protocol 2026-07-28'
        : 'The MCP server speaks only the 2026-07-28 protocol (it refused the 2025-11-25 initialize handshake)',
      protocol,
      err,
    );
  }
  if (isRefusal(rejection)) {
    return new McpSecureError(
      'handshake_rejected',
      `The MCP server refused ${rejection.method}: ${rejection.message} (check its shared secret and the secret mode).`,
      { cause: err },
    );
  }
  return undefined;
}

/** An error answer that is not the "I do not know this method" of a server on the other wire. */
function isRefusal(rejection: PresenterRejection | undefined): rejection is PresenterRejection {
  return rejection !== undefined && rejection.code !== ProtocolErrorCode.MethodNotFound;
}

function isEraFailure(err: unknown): boolean {
  return err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed;
}

function isUnsupportedVersion(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { code?: unknown }).code === ProtocolErrorCode.UnsupportedProtocolVersion
  );
}

function mismatch(what: string, protocol: ProtocolChoice, cause: unknown): McpSecureError {
  if (protocol === 'auto') {
    return new McpSecureError(
      'protocol_mismatch',
      'The MCP server speaks neither the 2026-07-28 wire nor the 2025-11-25 initialize handshake offered to it.',
      { cause },
    );
  }
  const other = protocol === '2026-07-28' ? '"2025-11-25" or "auto"' : '"2026-07-28" or "auto"';
  return new McpSecureError('protocol_mismatch', `${what}. Set the server's protocol to ${other} (CLI: --protocol).`, {
    cause,
  });
}
