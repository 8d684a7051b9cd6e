import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from '@modelcontextprotocol/client';
import { McpSecureError, isMcpSecureError } from '../errors';
import type { Logger } from '../ports';
import type { RequestAuthorizer } from '../requestAuthorizer';
import { createAuthorizedFetch } from './authorizedFetch';
import { toConnectError } from './errorMapping';
import { NO_SDK_TIMEOUT, withDeadline, type AuthActivity } from './requestDeadline';
import { defaultResultTypeToComplete } from './resultTypeDefault';
import { STATEFUL_PROTOCOL_VERSION, STATELESS_PROTOCOL_VERSION, type ProtocolChoice } from './protocolVersions';
import { validateEndpointUrl, type HttpServerDefinition } from './serverDefinition';

export interface HttpConnectDeps {
  readonly authorizer: RequestAuthorizer;
  readonly logger: Logger;
  readonly createClient: (protocol: ProtocolChoice) => Client;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly signal?: AbortSignal;
  readonly baseFetch?: typeof fetch;
  readonly activity: AuthActivity;
  /** Values of the definition's `secretHeaders`, from secret storage. */
  readonly secretHeaders?: Readonly<Record<string, string>>;
}

export interface HttpConnected {
  readonly client: Client;
  readonly transport: Transport;
  readonly wire: 'streamable-http' | 'sse';
}

/**
 * Connect over Streamable HTTP (MCP transports 2025-11-25 §Streamable HTTP); when the server answers
 * the first POST with a 4xx other than 401/403, fall back to the deprecated HTTP+SSE transport of
 * 2024-11-05, as §Backwards Compatibility says: "If it fails with … 4xx status codes (e.g., 405
 * Method Not Allowed or 404 Not Found): Issue a GET request to the server URL, expecting that this
 * will return an SSE stream with an endpoint event as the first event."
 */
export async function connectHttp(def: HttpServerDefinition, deps: HttpConnectDeps): Promise<HttpConnected> {
  const endpoint = validateEndpointUrl(def.url);
  const protocol = def.protocol ?? 'auto';
  let postStatus: number | undefined;
  let getStatus: number | undefined;
  const fetchFn = createAuthorizedFetch({
    endpoint,
    authorizer: deps.authorizer,
    logger: deps.logger,
    staticHeaders: def.headers,
    secretHeaders: deps.secretHeaders,
    maxResponseBytes: deps.maxResponseBytes,
    baseFetch: deps.baseFetch,
    activity: deps.activity,
    onStatus: (method, status) => {
      if (method === 'POST') postStatus = status;
      if (method === 'GET') getStatus = status;
    },
  });
  const client = deps.createClient(protocol);
  const transport = new StreamableHTTPClientTransport(endpoint, { fetch: fetchFn, redirectPolicy: 'follow' });
  defaultResultTypeToComplete(transport, () => client.getProtocolEra() === 'modern');
  try {
    await withDeadline(deps.requestTimeoutMs, deps.activity, deps.signal, (signal) =>
      client.connect(transport, { timeout: NO_SDK_TIMEOUT, signal }),
    );
    return { client, transport, wire: 'streamable-http' };
  } catch (err) {
    await transport.close().catch(() => undefined);
    const typed = toConnectError(err, { endpoint });
    const fallback =
      protocol !== STATELESS_PROTOCOL_VERSION &&
      postStatus !== undefined &&
      postStatus >= 400 &&
      postStatus < 500 &&
      postStatus !== 401 &&
      postStatus !== 403;
    if (!fallback || isMcpSecureError(err)) {
      // A 4xx other than 401/403 without a fallback (the 2026-07-28 wire is pinned): say what answered.
      if (
        !fallback &&
        typed.code === 'connection_failed' &&
        postStatus !== undefined &&
        postStatus >= 400 &&
        postStatus < 500 &&
        postStatus !== 401 &&
        postStatus !== 403
      ) {
        throw neitherTransport(endpoint, postStatus, undefined, err);
      }
      throw typed;
    }
    deps.logger.info(`Streamable HTTP POST answered ${postStatus}; trying the legacy HTTP+SSE transport`);
  }
  const legacyClient = deps.createClient(STATEFUL_PROTOCOL_VERSION);
  const sse = new SSEClientTransport(endpoint, { fetch: fetchFn, redirectPolicy: 'follow' });
  try {
    await withDeadline(deps.requestTimeoutMs, deps.activity, deps.signal, (signal) =>
      legacyClient.connect(sse, { timeout: NO_SDK_TIMEOUT, signal }),
    );
    return { client: legacyClient, transport: sse, wire: 'sse' };
  } catch (err) {
    await sse.close().catch(() => undefined);
    const typed = toConnectError(err, { endpoint });
    throw typed.code === 'connection_failed' && !isMcpSecureError(err)
      ? neitherTransport(endpoint, postStatus, getStatus, err)
      : typed;
  }
}

/** The endpoint answered neither transport: say what it answered, where, and what to check. */
function neitherTransport(
  endpoint: URL,
  postStatus: number | undefined,
  getStatus: number | undefined,
  cause: unknown,
): McpSecureError {
  const answers = [
    postStatus !== undefined ? `POST answered HTTP ${postStatus}` : '',
    getStatus !== undefined ? `GET answered HTTP ${getStatus}` : '',
  ].filter(Boolean);
  const hint =
    postStatus === 404 || getStatus === 404 ? ' Check the path of the MCP endpoint in the URL (often /mcp).' : '';
  return new McpSecureError(
    'connection_failed',
    `${endpoint.href} speaks neither Streamable HTTP nor the legacy HTTP+SSE transport${answers.length ? ` (${answers.join(', ')})` : ''}.${hint}`,
    { cause },
  );
}

/** How long closing waits for the server to acknowledge the end of the session. */
export const SESSION_END_TIMEOUT_MS = 2000;

/**
 * End a Streamable HTTP session on close (MCP transports 2025-11-25 §Session Management: "Clients that
 * no longer need a particular session … SHOULD send an HTTP DELETE to the MCP endpoint with the
 * Mcp-Session-Id header, to explicitly terminate the session"): servers that cap open sessions would
 * otherwise start refusing. Bounded and best effort (a 405 means the server does not allow it).
 */
export async function endHttpSession(transport: Transport, logger: Logger): Promise<void> {
  if (!(transport instanceof StreamableHTTPClientTransport) || !transport.sessionId) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SESSION_END_TIMEOUT_MS);
  });
  try {
    await Promise.race([transport.terminateSession(), timeout]);
  } catch (err) {
    logger.debug(`ending the HTTP session failed: ${err instanceof Error ? err.name : 'error'}`);
  } finally {
    clearTimeout(timer);
  }
}
