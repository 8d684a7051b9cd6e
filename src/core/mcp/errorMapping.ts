import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { McpSecureError, isMcpSecureError } from '../errors';
import { safeText } from '../common/safeText';

/** Bound on server-supplied text quoted in an error message. */
const SERVER_TEXT_MAX = 300;

/** What the connection knows when mapping an error (e.g. a stdio child's exit). */
export interface ErrorContext {
  /** Set when the stdio child has exited; the exit code (or the signal name). */
  readonly exited?: { readonly code: number | null; readonly signal: string | null };
  /** The HTTP endpoint being reached: network failures then name its host and port. */
  readonly endpoint?: URL;
}

/** The operating system's code of a network failure somewhere in the cause chain (ECONNREFUSED, ENOTFOUND, …). */
function systemErrorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    /^(E[A-Z]+|UND_ERR_[A-Z_]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+|ERR_TLS_[A-Z_]+)$/.test(
      code,
    )
  )
    return code;
  return systemErrorCode((err as { cause?: unknown }).cause, depth + 1);
}

/**
 * A network failure that says where and what: "nothing is listening at 127.0.0.1:7701 (connection
 * refused)" instead of the fetch library's "fetch failed".
 */
export function networkError(err: unknown, endpoint: URL): McpSecureError | undefined {
  const code = systemErrorCode(err);
  if (!code) return undefined;
  const host = endpoint.hostname;
  const where = `${host}:${endpoint.port || (endpoint.protocol === 'https:' ? '443' : '80')}`;
  const say = (text: string): McpSecureError => new McpSecureError('connection_failed', text, { cause: err });
  if (code === 'ECONNREFUSED')
    return say(`Nothing is listening at ${where} (connection refused): is the MCP server running, on that port?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return say(`The host ${host} was not found (${code}): check the server URL.`);
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return say(`The connection to ${where} was reset (${code}).`);
  if (/^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_)/.test(code))
    return say(`The TLS certificate of ${host} was not accepted (${code}).`);
  return say(`Could not reach ${where} (${code}).`);
}

function findCause(err: unknown, depth = 0): McpSecureError | undefined {
  if (depth > 5 || !(err instanceof Error)) return undefined;
  if (isMcpSecureError(err)) return err;
  return findCause((err as { cause?: unknown }).cause, depth + 1);
}

function exitedError(ctx: ErrorContext, cause: unknown): McpSecureError {
  const how = ctx.exited?.signal ? `signal ${ctx.exited.signal}` : `exit code ${ctx.exited?.code ?? 'unknown'}`;
  return new McpSecureError('server_exited', `The MCP server process exited (${how}).`, { cause });
}

/**
 * Map anything the SDK or the network throws to a typed `McpSecureError` (stable `code`). Messages are
 * built from public facts; server text is sanitised and truncated.
 */
export function toMcpSecureError(err: unknown, ctx: ErrorContext = {}): McpSecureError {
  const own = findCause(err);
  if (own) return own;
  if (ctx.exited) return exitedError(ctx, err);
  const network = ctx.endpoint ? networkError(err, ctx.endpoint) : undefined;
  if (network) return network;
  if (err instanceof SdkHttpError) {
    if (err.status === 401)
      return new McpSecureError('unauthorized', 'The server rejected the request as unauthorized (HTTP 401).', {
        cause: err,
      });
    if (err.status === 403)
      return new McpSecureError('forbidden', 'The server denied the request (HTTP 403).', { cause: err });
    return new McpSecureError('connection_failed', `The MCP server answered HTTP ${err.status}.`, { cause: err });
  }
  if (err instanceof SdkError) return fromSdkError(err);
  if (err instanceof ProtocolError) {
    return new McpSecureError(
      'protocol_error',
      `The MCP server returned error ${err.code}: ${safeText(err.message, SERVER_TEXT_MAX)}`,
      { cause: err },
    );
  }
  if (err instanceof Error && err.name === 'AbortError')
    return new McpSecureError('cancelled', 'The request was cancelled.', { cause: err });
  if (err instanceof SyntaxError)
    return new McpSecureError('protocol_error', 'The MCP server sent malformed JSON.', { cause: err });
  if (
    err instanceof TypeError &&
    /fetch failed|ECONNREFUSED|ECONNRESET|socket|terminated/i.test(`${err.message} ${String(err.cause)}`)
  ) {
    return new McpSecureError('connection_failed', 'Could not reach the MCP server (connection failed).', {
      cause: err,
    });
  }
  if (err instanceof Error && /ZodError|invalid_type|Invalid input/.test(`${err.name} ${err.message}`)) {
    return new McpSecureError('protocol_error', 'The MCP server sent a message that is not valid MCP.', { cause: err });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new McpSecureError('connection_failed', `MCP connection error: ${safeText(text, SERVER_TEXT_MAX)}`, {
    cause: err,
  });
}

function fromSdkError(err: SdkError): McpSecureError {
  switch (err.code) {
    case SdkErrorCode.RequestTimeout:
      return new McpSecureError('request_timeout', 'The MCP server did not answer in time.', { cause: err });
    case SdkErrorCode.ConnectionClosed:
    case SdkErrorCode.NotConnected:
    case SdkErrorCode.SendFailed:
      return new McpSecureError('connection_failed', 'The connection to the MCP server was closed.', { cause: err });
    case SdkErrorCode.ClientHttpAuthentication:
      return new McpSecureError('unauthorized', 'The server rejected the request as unauthorized (HTTP 401).', {
        cause: err,
      });
    case SdkErrorCode.ClientHttpForbidden:
      return new McpSecureError('forbidden', 'The server denied the request (HTTP 403).', { cause: err });
    case SdkErrorCode.InvalidResult:
    case SdkErrorCode.ClientHttpUnexpectedContent:
    case SdkErrorCode.UnsupportedResultType:
    case SdkErrorCode.ListPaginationExceeded:
    case SdkErrorCode.InputRequiredRoundsExceeded:
      return new McpSecureError('protocol_error', `The MCP server broke the protocol (${err.code}).`, { cause: err });
    default:
      return new McpSecureError(
        'connection_failed',
        `MCP connection error (${err.code}): ${safeText(err.message, SERVER_TEXT_MAX)}`,
        { cause: err },
      );
  }
}

/** Like `toMcpSecureError`, for failures while connecting: a JSON-RPC error answer means the handshake was rejected. */
export function toConnectError(err: unknown, ctx: ErrorContext = {}): McpSecureError {
  const typed = toMcpSecureError(err, ctx);
  if (typed.code === 'protocol_error' && err instanceof ProtocolError) {
    return new McpSecureError(
      'handshake_rejected',
      `The MCP server rejected the handshake: ${safeText(err.message, SERVER_TEXT_MAX)}`,
      { cause: err },
    );
  }
  return typed;
}
