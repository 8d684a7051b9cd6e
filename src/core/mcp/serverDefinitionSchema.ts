/**
 * The server-definition schema, once: what a user may configure for one MCP server (settings,
 * `.vscode/mcp.json` imports, the CLI). The TypeScript types of src/core/mcp/serverDefinition.ts are
 * inferred from it, the CLI's option types name its enums, and package.json's
 * `contributes.configuration` schema for `mcpSecure.servers` is generated from it
 * (`settingsEntryJsonSchema`, checked by test/unit/mcp/serverDefinitionSchema.test.ts; refresh it with
 * `npx tsx scripts/syncServerSchema.ts`).
 *
 * Runtime code imports this module only as types (zod is not evaluated when the extension loads; see
 * test/unit/mcp/lazySdk.test.ts): `parseServerDefinition` checks the same shape by hand, plus the
 * rules a JSON schema cannot say (URL policy, reserved headers, path forms), and a test runs both
 * over the same inputs.
 */
import { z } from 'zod';
import { STATEFUL_PROTOCOL_VERSION, STATELESS_PROTOCOL_VERSION } from './protocolVersions';
import {
  DEFAULT_SECRET_ENV_VAR,
  ENV_NAME_PATTERN,
  GRANT_KINDS,
  HEADER_NAME_PATTERN,
  ID_PATTERN,
  PKCE_CHOICES,
  RESOURCE_PARAMETER_CHOICES,
  SCOPE_TOKEN_PATTERN,
  STDIO_SECRET_MODES,
} from './serverDefinition';

const nonEmpty = z.string().min(1);
const stringMap = (name: RegExp) => z.record(z.string().regex(name), z.string());

/** Per-server OAuth options (the subset of the engine's `OAuthServerOptions` a definition may set). */
export const oauthOptionsSchema = z.strictObject({
  clientId: nonEmpty.optional().describe('Pre-registered OAuth client id (skips dynamic registration).'),
  issuer: z
    .url()
    .optional()
    .describe(
      'Issuer of the authorization server the pre-registered client belongs to. Its client secret is only ever sent there; without it, the issuer of the first successful sign-in is remembered and any other is refused.',
    ),
  /** Accepted from the CLI and Add Server, which move it to secret storage; never from settings. */
  clientSecret: nonEmpty.optional(),
  scopes: z
    .array(z.string().regex(SCOPE_TOKEN_PATTERN))
    .optional()
    .describe('Scopes to request instead of the server-advertised ones.'),
  pkce: z
    .enum(PKCE_CHOICES)
    .optional()
    .describe('PKCE override: assume S256 support when the authorization server does not advertise it.'),
  resourceParameter: z
    .enum(RESOURCE_PARAMETER_CHOICES)
    .optional()
    .describe('How the resource indicator (RFC 8707) is sent.'),
  audience: nonEmpty.optional(),
  dpop: z
    .boolean()
    .optional()
    .describe(
      'Bind tokens to a key with DPoP (RFC 9449). Off by default: only enable it for servers that accept DPoP-bound tokens.',
    ),
  grant: z
    .enum(GRANT_KINDS)
    .optional()
    .describe(
      'OAuth grant (default authorization_code). client_credentials needs the client id and its secret (set with Add Server); token_exchange and jwt_bearer are for scripts (CLI).',
    ),
});

export const stdioSecretSchema = z.strictObject({
  mode: z.enum(STDIO_SECRET_MODES).default('both'),
  envVar: z.string().regex(ENV_NAME_PATTERN).default(DEFAULT_SECRET_ENV_VAR),
});

const common = {
  id: z.string().regex(ID_PATTERN).describe('Stable id (1-64 letters, digits, ., _, -).'),
  protocol: z
    .enum(['auto', STATEFUL_PROTOCOL_VERSION, STATELESS_PROTOCOL_VERSION])
    .optional()
    .describe(
      'MCP wire. HTTP default `auto`; stdio default `2025-11-25` (the `initialize` handshake). A stdio server that speaks only `2026-07-28` gets its shared secret in every request\'s `_meta["io.mcp-secure/secret"]`.',
    ),
  name: nonEmpty.optional().describe('Display name.'),
  exposeToChat: z
    .boolean()
    .optional()
    .describe(
      "Offer this server to VS Code's chat and agent through the MCP Secure gateway (sign-in, policy and audit apply).",
    ),
};

const httpFields = {
  url: z.url().describe('HTTP MCP endpoint (https:, or http: on loopback).'),
  oauth: oauthOptionsSchema.optional().describe('OAuth options for an HTTP server.'),
  headers: stringMap(HEADER_NAME_PATTERN)
    .optional()
    .describe('Extra static, non-secret headers sent on every request.'),
  secretHeaders: z
    .array(z.string().regex(HEADER_NAME_PATTERN))
    .optional()
    .describe('Names of headers whose values are kept in secret storage (set by Import Servers…); never the values.'),
};

const stdioFields = {
  command: nonEmpty.describe('Absolute path (or a program on PATH) of the stdio server.'),
  args: z.array(z.string()).default([]),
  cwd: nonEmpty.optional().describe('Absolute working directory.'),
  env: stringMap(ENV_NAME_PATTERN).optional().describe('Non-secret environment variables for the server.'),
  secretEnv: z
    .array(z.string().regex(ENV_NAME_PATTERN))
    .optional()
    .describe(
      'Names of environment variables whose values are kept in secret storage (set by Import Servers…); never the values.',
    ),
  secret: stdioSecretSchema.default({ mode: 'both', envVar: DEFAULT_SECRET_ENV_VAR }),
};

/** A Streamable HTTP (or legacy HTTP+SSE) server. MCP transports 2025-11-25 §Streamable HTTP. */
export const httpServerDefinitionSchema = z.strictObject({ ...common, transport: z.literal('http'), ...httpFields });
/** A local server started as a child process speaking MCP over stdio (MCP transports §stdio). */
export const stdioServerDefinitionSchema = z.strictObject({
  ...common,
  transport: z.literal('stdio'),
  ...stdioFields,
});
export const serverDefinitionSchema = z.discriminatedUnion('transport', [
  httpServerDefinitionSchema,
  stdioServerDefinitionSchema,
]);

/**
 * The JSON schema of one `mcpSecure.servers` entry in package.json: VS Code's settings editor shows
 * one object for both transports, so the fields of both kinds are listed together (the parser names
 * the ones that do not belong to the entry's transport). `oauth.clientSecret` is left out on purpose:
 * a client secret never goes into settings (the editor marks such an entry invalid and Add Server
 * stores it in secret storage instead).
 */
export function settingsEntryJsonSchema(): Record<string, unknown> {
  const entry = z.strictObject({
    ...common,
    transport: z.enum(['http', 'stdio']),
    ...httpFields,
    oauth: oauthOptionsSchema.omit({ clientSecret: true }).optional().describe('OAuth options for an HTTP server.'),
    ...stdioFields,
    args: stdioFields.args.unwrap().optional(),
    command: stdioFields.command.optional(),
    url: httpFields.url.optional(),
    secret: stdioSecretSchema.partial().optional(),
    exposeToChat: z
      .boolean()
      .default(true)
      .describe(common.exposeToChat.description ?? ''),
  });
  const json = z.toJSONSchema(entry, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
