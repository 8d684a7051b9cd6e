import { parseEndpointUrl } from '../common/urlPolicy';
import { McpSecureError } from '../errors';
import type { z } from 'zod';
import type { OAuthGrantKind } from '../oauth/types';
import type * as schema from './serverDefinitionSchema';

/**
 * Server definitions: what the user configures for one MCP server (settings, `.vscode/mcp.json`, CLI
 * flags). Everything here is untrusted input until `parseServerDefinition` has accepted it.
 */

import { PROTOCOL_CHOICES, isProtocolChoice, type ProtocolChoice } from './protocolVersions';
export { PROTOCOL_CHOICES, type ProtocolChoice } from './protocolVersions';

/**
 * The wire of a stdio server without a `protocol`: the 2025-11-25 `initialize` handshake, which every
 * stdio server spoke before 2026-07-28. `auto` is opt-in on stdio because its `server/discover` probe
 * runs in the server's only process, and some older servers exit on any request before `initialize`.
 */
export const STDIO_DEFAULT_PROTOCOL: ProtocolChoice = '2025-11-25';

/** A server id: stable key of grants, secrets and audit records. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** An environment variable name (POSIX portable, bounded). */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** An HTTP header field name (RFC 9110 §5.1 token). */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A scope token (RFC 6749 §3.3). */
export const SCOPE_TOKEN_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const PKCE_CHOICES = ['require', 'assume-s256'] as const;
export const RESOURCE_PARAMETER_CHOICES = ['resource', 'audience', 'omit'] as const;
/** Every engine grant kind, and nothing else (a kind added to `OAuthGrantKind` only fails to compile). */
export const GRANT_KINDS = ['authorization_code', 'client_credentials', 'token_exchange', 'jwt_bearer'] as const;
const GRANT_KINDS_COMPLETE: [OAuthGrantKind] extends [(typeof GRANT_KINDS)[number]] ? true : false = true;
void GRANT_KINDS_COMPLETE;
/**
 * How a stdio server gets and checks its shared secret: `env` only in the child's environment
 * (`envVar`), `handshake` only as `clientInfo.secret` in `initialize`, `both`, or `none`.
 */
export const STDIO_SECRET_MODES = ['env', 'handshake', 'both', 'none'] as const;
export const DEFAULT_SECRET_ENV_VAR = 'MCP_SHARED_SECRET';

/** Per-server OAuth options: the subset of the engine's `OAuthServerOptions` a definition may set. */
export type HttpOAuthOptions = z.output<typeof schema.oauthOptionsSchema>;
/** A Streamable HTTP (or legacy HTTP+SSE) server; `name` defaults to the id. */
export type HttpServerDefinition = Readonly<Named<z.output<typeof schema.httpServerDefinitionSchema>>>;
export type StdioSecretMode = (typeof STDIO_SECRET_MODES)[number];
export type StdioSecretOptions = Readonly<z.output<typeof schema.stdioSecretSchema>>;
/** A local server started as a child process speaking MCP over stdio; `name` defaults to the id. */
export type StdioServerDefinition = Readonly<Named<z.output<typeof schema.stdioServerDefinitionSchema>>>;
export type ServerDefinition = HttpServerDefinition | StdioServerDefinition;
type Named<T extends { name?: string }> = Omit<T, 'name'> & { name: string };

/**
 * The fields each object may carry: every key of the schema's inferred type, so a field added to the
 * zod schema (serverDefinitionSchema.ts) but not to the parser fails to compile here.
 */
function fieldsOf<T>(fields: Record<keyof T, true>): ReadonlySet<string> {
  return new Set(Object.keys(fields));
}
const COMMON_FIELDS = { id: true, name: true, transport: true, protocol: true, exposeToChat: true } as const;
const HTTP_KEYS = fieldsOf<HttpServerDefinition>({
  ...COMMON_FIELDS,
  url: true,
  oauth: true,
  protocol: true,
  headers: true,
  secretHeaders: true,
});
const STDIO_KEYS = fieldsOf<StdioServerDefinition>({
  ...COMMON_FIELDS,
  command: true,
  args: true,
  cwd: true,
  env: true,
  secretEnv: true,
  secret: true,
});
const OAUTH_KEYS = fieldsOf<HttpOAuthOptions>({
  clientId: true,
  issuer: true,
  clientSecret: true,
  scopes: true,
  pkce: true,
  resourceParameter: true,
  audience: true,
  dpop: true,
  grant: true,
});
const SECRET_KEYS = fieldsOf<StdioSecretOptions>({ mode: true, envVar: true });
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

function isOneOf<T extends string>(value: unknown, choices: readonly T[]): value is T {
  return typeof value === 'string' && (choices as readonly string[]).includes(value);
}

function asRecord(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(field, 'must be an object');
  return raw as Record<string, unknown>;
}

function checkKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
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

/**
 * Parse and validate an MCP endpoint URL with the one URL policy (`parseEndpointUrl`: `https:`, or
 * `http:` only for loopback, MCP authorization 2025-11-25 §Communication Security; no credentials, no
 * fragment). Inside a definition the mistake is reported as `invalid_server_definition` naming the
 * field (the editor lists such an entry as invalid), with the policy's `invalid_url`/`insecure_url`
 * error as its `cause`.
 */
export function validateEndpointUrl(value: string, field = 'url'): URL {
  try {
    return parseEndpointUrl(value, `"${field}"`);
  } catch (cause) {
    throw new McpSecureError(
      'invalid_server_definition',
      `Invalid server definition: ${cause instanceof Error ? cause.message : `"${field}" is not a valid URL.`}`,
      { cause },
    );
  }
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
    if (!isOneOf(o.grant, GRANT_KINDS))
      throw invalid('oauth.grant', `must be one of ${GRANT_KINDS.map((k) => `"${k}"`).join(', ')}`);
    out.grant = o.grant;
  }
  if (o.scopes !== undefined) {
    if (!Array.isArray(o.scopes) || o.scopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN_PATTERN.test(s))) {
      throw invalid('oauth.scopes', 'must be a list of scope tokens (RFC 6749 §3.3)');
    }
    out.scopes = [...(o.scopes as string[])];
  }
  if (o.pkce !== undefined) {
    if (!isOneOf(o.pkce, PKCE_CHOICES)) throw invalid('oauth.pkce', 'must be "require" or "assume-s256"');
    out.pkce = o.pkce;
  }
  if (o.resourceParameter !== undefined) {
    if (!isOneOf(o.resourceParameter, RESOURCE_PARAMETER_CHOICES))
      throw invalid('oauth.resourceParameter', 'must be "resource", "audience" or "omit"');
    out.resourceParameter = o.resourceParameter;
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
  if (obj.protocol !== undefined) def.protocol = parseProtocol(obj.protocol);
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

function parseProtocol(raw: unknown): ProtocolChoice {
  if (!isProtocolChoice(raw)) throw invalid('protocol', `must be one of ${PROTOCOL_CHOICES.join(', ')}`);
  return raw;
}

/** The wire a stdio definition speaks: its `protocol`, else {@link STDIO_DEFAULT_PROTOCOL}. */
export function stdioProtocol(def: StdioServerDefinition): ProtocolChoice {
  return def.protocol ?? STDIO_DEFAULT_PROTOCOL;
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
  if (!isOneOf(mode, STDIO_SECRET_MODES))
    throw invalid('secret.mode', `must be one of ${STDIO_SECRET_MODES.join(', ')}`);
  const envVar = o.envVar === undefined ? DEFAULT_SECRET_ENV_VAR : str(o, 'envVar', 'secret.envVar');
  if (!ENV_NAME_PATTERN.test(envVar)) throw invalid('secret.envVar', 'is not a valid environment variable name');
  return { mode, envVar };
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
  if (obj.protocol !== undefined) def.protocol = parseProtocol(obj.protocol);
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
