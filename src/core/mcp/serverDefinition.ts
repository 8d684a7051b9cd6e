import { McpSecureError } from '../errors';
import type { OAuthGrantKind } from '../oauth/types';

/**
 * Server definitions: what the user configures for one MCP server (settings, `.vscode/mcp.json`, CLI
 * flags). Everything here is untrusted input until `parseServerDefinition` has accepted it.
 */

/** Which MCP wire to speak. `auto` lets the SDK negotiate (2026-07-28 probe, falling back to 2025-11-25 `initialize`). */
export type ProtocolChoice = 'auto' | '2025-11-25' | '2026-07-28';
export const PROTOCOL_CHOICES: readonly ProtocolChoice[] = ['auto', '2025-11-25', '2026-07-28'];

/**
 * Per-server OAuth options: the subset of `OAuthServerOptions` (src/core/oauth/types.ts) a definition
 * may set, with the engine's own types so a parsed definition can be handed to the engine as is
 * (type-only import: no runtime dependency on the engine).
 */
export interface HttpOAuthOptions {
  clientId?: string;
  /**
   * Issuer (RFC 8414 §2) the pre-registered `clientId` belongs to: its credentials go to this
   * authorization server only. Without it, the issuer of the first successful sign-in is pinned.
   */
  issuer?: string;
  clientSecret?: string;
  scopes?: string[];
  pkce?: 'require' | 'assume-s256';
  resourceParameter?: 'resource' | 'audience' | 'omit';
  audience?: string;
  dpop?: boolean;
  /** The engine's grant (default `authorization_code`). */
  grant?: OAuthGrantKind;
}

/** A Streamable HTTP (or legacy HTTP+SSE) server. MCP transports 2025-11-25 §Streamable HTTP. */
export interface HttpServerDefinition {
  readonly id: string;
  readonly name: string;
  readonly transport: 'http';
  /** The MCP endpoint. `https:`, or `http:` on a loopback host only. */
  readonly url: string;
  readonly oauth?: HttpOAuthOptions;
  readonly protocol?: ProtocolChoice;
  /** Extra static, non-secret headers sent on every request (e.g. `X-Tenant`). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Names of headers whose values live in secret storage (an API key, or a static `Authorization`
   * that an imported definition carried): the definition holds the name only, never the value.
   */
  readonly secretHeaders?: readonly string[];
  /** Offered to VS Code's chat through the gateway (default true). */
  readonly exposeToChat?: boolean;
}

/**
 * How a stdio server gets and checks its shared secret:
 * - `env`: only in the child's environment (`envVar`);
 * - `handshake`: only presented by the client as `clientInfo.secret` in `initialize`;
 * - `both`: the server reads it from its environment and the client presents it in the handshake;
 * - `none`: no secret at all.
 */
export type StdioSecretMode = 'env' | 'handshake' | 'both' | 'none';
export const STDIO_SECRET_MODES: readonly StdioSecretMode[] = ['env', 'handshake', 'both', 'none'];
export const DEFAULT_SECRET_ENV_VAR = 'MCP_SHARED_SECRET';

export interface StdioSecretOptions {
  readonly mode: StdioSecretMode;
  /** Environment variable carrying the secret (default `MCP_SHARED_SECRET`). */
  readonly envVar: string;
}

/** A local server started as a child process speaking MCP over stdio (MCP transports §stdio). */
export interface StdioServerDefinition {
  readonly id: string;
  readonly name: string;
  readonly transport: 'stdio';
  /** Absolute path of the executable, or a bare program name looked up on PATH (never a relative path). */
  readonly command: string;
  readonly args: readonly string[];
  /** Absolute working directory. */
  readonly cwd?: string;
  /** Non-secret environment variables added to the minimal inherited environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Names of environment variables whose values live in secret storage (the definition holds the name only). */
  readonly secretEnv?: readonly string[];
  readonly secret: StdioSecretOptions;
  /** Offered to VS Code's chat through the gateway (default true). */
  readonly exposeToChat?: boolean;
}

export type ServerDefinition = HttpServerDefinition | StdioServerDefinition;

const HTTP_KEYS = new Set([
  'id',
  'name',
  'transport',
  'url',
  'oauth',
  'protocol',
  'headers',
  'secretHeaders',
  'exposeToChat',
]);
const STDIO_KEYS = new Set([
  'id',
  'name',
  'transport',
  'command',
  'args',
  'cwd',
  'env',
  'secretEnv',
  'secret',
  'exposeToChat',
]);
const OAUTH_KEYS = new Set([
  'clientId',
  'issuer',
  'clientSecret',
  'scopes',
  'pkce',
  'resourceParameter',
  'audience',
  'dpop',
  'grant',
]);
const SECRET_KEYS = new Set(['mode', 'envVar']);
/** Every engine grant kind; a Record, so a kind added to `OAuthGrantKind` but not here fails to compile. */
const GRANT_KINDS: Readonly<Record<OAuthGrantKind, true>> = {
  authorization_code: true,
  client_credentials: true,
  token_exchange: true,
  jwt_bearer: true,
};
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the transport owns; a definition may not set them. */
const RESERVED_HEADERS = new Set([
  'authorization',
  'dpop',
  'host',
  'content-length',
  'content-type',
  'accept',
  'mcp-session-id',
  'mcp-protocol-version',
  'cookie',
]);

function invalid(field: string, why: string): McpSecureError {
  return new McpSecureError('invalid_server_definition', `Invalid server definition: "${field}" ${why}.`);
}

function asRecord(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(field, 'must be an object');
  return raw as Record<string, unknown>;
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) throw invalid(prefix ? `${prefix}.${key}` : key, 'is not a known field');
  }
}

function str(obj: Record<string, unknown>, key: string, field = key): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(field, 'must be a non-empty string');
  return v;
}

function optStr(obj: Record<string, unknown>, key: string, field = key): string | undefined {
  return obj[key] === undefined ? undefined : str(obj, key, field);
}

/** True for hosts that never leave the machine (RFC 8252 §8.3 loopback). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Parse and validate an MCP endpoint URL: `https:`, or `http:` only for loopback (MCP authorization
 * 2025-11-25 §Communication Security: "All authorization server endpoints MUST be served over HTTPS").
 * No credentials and no fragment in the URL.
 */
export function validateEndpointUrl(value: string, field = 'url'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, 'is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(field, `must use https (got ${url.protocol})`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw invalid(field, 'must use https unless the host is loopback');
  if (url.username || url.password) throw invalid(field, 'must not contain credentials');
  if (url.hash) throw invalid(field, 'must not contain a fragment');
  return url;
}

function parseStringMap(raw: unknown, field: string, keyPattern: RegExp, what: string): Record<string, string> {
  const obj = asRecord(raw, field);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!keyPattern.test(k)) throw invalid(`${field}.${k}`, `is not a valid ${what} name`);
    if (typeof v !== 'string') throw invalid(`${field}.${k}`, 'must be a string');
    out[k] = v;
  }
  return out;
}

function parseOAuth(raw: unknown): HttpOAuthOptions {
  const o = asRecord(raw, 'oauth');
  checkKeys(o, OAUTH_KEYS, 'oauth');
  const out: HttpOAuthOptions = {};
  for (const key of ['clientId', 'clientSecret', 'audience'] as const) {
    const v = optStr(o, key, `oauth.${key}`);
    if (v !== undefined) out[key] = v;
  }
  if (o.issuer !== undefined) {
    // Kept exactly as written: RFC 8414 §3.3 compares issuers as exact strings.
    const issuer = str(o, 'issuer', 'oauth.issuer');
    const url = validateEndpointUrl(issuer, 'oauth.issuer');
    if (url.search) throw invalid('oauth.issuer', 'must not contain a query (RFC 8414 §2)');
    if (out.clientId === undefined)
      throw invalid('oauth.issuer', 'pins a pre-registered client and needs "oauth.clientId"');
    out.issuer = issuer;
  }
  if (o.grant !== undefined) {
    if (typeof o.grant !== 'string' || !Object.hasOwn(GRANT_KINDS, o.grant)) {
      throw invalid(
        'oauth.grant',
        `must be one of ${Object.keys(GRANT_KINDS)
          .map((k) => `"${k}"`)
          .join(', ')}`,
      );
    }
    out.grant = o.grant as OAuthGrantKind;
  }
  if (o.scopes !== undefined) {
    if (
      !Array.isArray(o.scopes) ||
      o.scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))
    ) {
      throw invalid('oauth.scopes', 'must be a list of scope tokens (RFC 6749 §3.3)');
    }
    out.scopes = [...(o.scopes as string[])];
  }
  if (o.pkce !== undefined) {
    if (o.pkce !== 'require' && o.pkce !== 'assume-s256')
      throw invalid('oauth.pkce', 'must be "require" or "assume-s256"');
    out.pkce = o.pkce;
  }
  if (o.resourceParameter !== undefined) {
    if (!['resource', 'audience', 'omit'].includes(o.resourceParameter as string)) {
      throw invalid('oauth.resourceParameter', 'must be "resource", "audience" or "omit"');
    }
    out.resourceParameter = o.resourceParameter as HttpOAuthOptions['resourceParameter'];
  }
  if (o.dpop !== undefined) {
    if (typeof o.dpop !== 'boolean') throw invalid('oauth.dpop', 'must be a boolean');
    out.dpop = o.dpop;
  }
  return out;
}

function parseHttp(obj: Record<string, unknown>, id: string, name: string): HttpServerDefinition {
  checkKeys(obj, HTTP_KEYS, '');
  const url = validateEndpointUrl(str(obj, 'url'));
  const def: { -readonly [K in keyof HttpServerDefinition]: HttpServerDefinition[K] } = {
    id,
    name,
    transport: 'http',
    url: url.href,
  };
  if (obj.protocol !== undefined) {
    if (!PROTOCOL_CHOICES.includes(obj.protocol as ProtocolChoice))
      throw invalid('protocol', `must be one of ${PROTOCOL_CHOICES.join(', ')}`);
    def.protocol = obj.protocol as ProtocolChoice;
  }
  if (obj.oauth !== undefined) def.oauth = parseOAuth(obj.oauth);
  if (obj.headers !== undefined) {
    const headers = parseStringMap(obj.headers, 'headers', HEADER_NAME_PATTERN, 'header');
    for (const [k, v] of Object.entries(headers)) {
      if (RESERVED_HEADERS.has(k.toLowerCase()))
        throw invalid(`headers.${k}`, 'is managed by the connection and cannot be set');
      if (/[\r\n\0]/.test(v)) throw invalid(`headers.${k}`, 'must not contain control characters');
    }
    def.headers = headers;
  }
  if (obj.secretHeaders !== undefined) {
    const names = parseNameList(obj.secretHeaders, 'secretHeaders', HEADER_NAME_PATTERN);
    for (const k of names) {
      // A stored static credential may be an `Authorization` header; the transport's own headers stay off limits.
      if (k.toLowerCase() !== 'authorization' && RESERVED_HEADERS.has(k.toLowerCase()))
        throw invalid(`secretHeaders.${k}`, 'is managed by the connection and cannot be set');
      if (Object.keys(def.headers ?? {}).some((h) => h.toLowerCase() === k.toLowerCase()))
        throw invalid(`secretHeaders.${k}`, 'is also set in "headers"');
    }
    def.secretHeaders = names;
  }
  return def;
}

/** A list of distinct names matching `pattern` (case-insensitively distinct for header names). */
function parseNameList(raw: unknown, field: string, pattern: RegExp): string[] {
  if (!Array.isArray(raw) || raw.some((n) => typeof n !== 'string' || !pattern.test(n)))
    throw invalid(field, 'must be a list of valid names');
  const names = raw as string[];
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) throw invalid(field, 'has duplicate names');
  return [...names];
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

function parseCommand(obj: Record<string, unknown>): string {
  const command = str(obj, 'command');
  if (/[\0\r\n]/.test(command)) throw invalid('command', 'must not contain control characters');
  const bare = !/[\\/]/.test(command);
  if (!bare && !isAbsolutePath(command))
    throw invalid('command', 'must be an absolute path or a program name on PATH, not a relative path');
  if (bare && (command === '.' || command === '..')) throw invalid('command', 'is not a program');
  return command;
}

function parseSecret(raw: unknown): StdioSecretOptions {
  if (raw === undefined) return { mode: 'both', envVar: DEFAULT_SECRET_ENV_VAR };
  const o = asRecord(raw, 'secret');
  checkKeys(o, SECRET_KEYS, 'secret');
  const mode = o.mode === undefined ? 'both' : o.mode;
  if (!STDIO_SECRET_MODES.includes(mode as StdioSecretMode))
    throw invalid('secret.mode', `must be one of ${STDIO_SECRET_MODES.join(', ')}`);
  const envVar = o.envVar === undefined ? DEFAULT_SECRET_ENV_VAR : str(o, 'envVar', 'secret.envVar');
  if (!ENV_NAME_PATTERN.test(envVar)) throw invalid('secret.envVar', 'is not a valid environment variable name');
  return { mode: mode as StdioSecretMode, envVar };
}

function parseStdio(obj: Record<string, unknown>, id: string, name: string): StdioServerDefinition {
  checkKeys(obj, STDIO_KEYS, '');
  const command = parseCommand(obj);
  const rawArgs = obj.args === undefined ? [] : obj.args;
  if (!Array.isArray(rawArgs) || rawArgs.some((a) => typeof a !== 'string' || a.includes('\0'))) {
    throw invalid('args', 'must be a list of strings');
  }
  const secret = parseSecret(obj.secret);
  const def: { -readonly [K in keyof StdioServerDefinition]: StdioServerDefinition[K] } = {
    id,
    name,
    transport: 'stdio',
    command,
    args: [...(rawArgs as string[])],
    secret,
  };
  if (obj.cwd !== undefined) {
    const cwd = str(obj, 'cwd');
    if (!isAbsolutePath(cwd)) throw invalid('cwd', 'must be an absolute path');
    def.cwd = cwd;
  }
  if (obj.env !== undefined) {
    const env = parseStringMap(obj.env, 'env', ENV_NAME_PATTERN, 'environment variable');
    if (secret.mode !== 'none' && Object.keys(env).some((k) => k === secret.envVar)) {
      throw invalid(`env.${secret.envVar}`, 'is reserved for the generated shared secret');
    }
    for (const [k, v] of Object.entries(env)) if (v.includes('\0')) throw invalid(`env.${k}`, 'must not contain NUL');
    def.env = env;
  }
  if (obj.secretEnv !== undefined) {
    const names = parseNameList(obj.secretEnv, 'secretEnv', ENV_NAME_PATTERN);
    for (const k of names) {
      if (secret.mode !== 'none' && k === secret.envVar)
        throw invalid(`secretEnv.${k}`, 'is reserved for the generated shared secret');
      if (def.env && Object.hasOwn(def.env, k)) throw invalid(`secretEnv.${k}`, 'is also set in "env"');
    }
    def.secretEnv = names;
  }
  return def;
}

/**
 * Validate an untrusted server definition. Throws `invalid_server_definition` whose message names the
 * offending field (never its value: values may be secrets).
 */
export function parseServerDefinition(raw: unknown): ServerDefinition {
  const obj = asRecord(raw, 'definition');
  const id = str(obj, 'id');
  if (!ID_PATTERN.test(id)) throw invalid('id', 'must be 1-64 letters, digits, ".", "_" or "-"');
  const name = obj.name === undefined ? id : str(obj, 'name');
  if (obj.exposeToChat !== undefined && typeof obj.exposeToChat !== 'boolean')
    throw invalid('exposeToChat', 'must be a boolean');
  const chat = obj.exposeToChat === false ? { exposeToChat: false } : {};
  if (obj.transport === 'http') return { ...parseHttp(obj, id, name), ...chat };
  if (obj.transport === 'stdio') return { ...parseStdio(obj, id, name), ...chat };
  throw invalid('transport', 'must be "http" or "stdio"');
}

/** The command line shown to the user and recorded in audit (`command` + args, never the environment). */
export function describeTarget(def: ServerDefinition): string {
  if (def.transport === 'http') return def.url;
  return [def.command, ...def.args].map((p) => (/[\s"'\\]/.test(p) ? JSON.stringify(p) : p)).join(' ');
}
