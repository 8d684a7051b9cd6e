import { SkillVerificationError } from '@modelcontextprotocol/client/ext/skills';
import { McpSecureError } from '../core/errors';
import type { McpConnection } from '../core/mcp/mcpConnection';
import { isProtocolChoice, type ProtocolChoice } from '../core/mcp/protocolVersions';
import type { OAuthServerOptions } from '../core/oauth/oauthEngine';
import { readSkill } from '../core/mcp/skills';
import type { SkillInfo, ToolInfo } from '../core/mcp/types';
import type { Logger } from '../core/ports';

/**
 * The CLI's `conformance` mode: what the official conformance suite's client runner expects.
 * `MCP_CONFORMANCE_SCENARIO` only selects WHICH ACTIONS to perform (list, call, echo a schema, load a
 * skill) and `MCP_CONFORMANCE_CONTEXT` supplies credentials or tool arguments; every action goes
 * through the same OAuthEngine / ConnectionManager code paths a user gets, so every check is real.
 */

/** The fixed CIMD URL the suite expects as client_id when the AS supports client ID metadata documents. */
export const CONFORMANCE_CLIENT_METADATA_URL = 'https://conformance-test.local/client-metadata.json';

export interface ConformanceEnv {
  readonly scenario: string;
  readonly protocol: ProtocolChoice;
  readonly context: Readonly<Record<string, unknown>>;
}

export function readConformanceEnv(env: NodeJS.ProcessEnv = process.env): ConformanceEnv {
  const scenario = env.MCP_CONFORMANCE_SCENARIO ?? '';
  const v = env.MCP_CONFORMANCE_PROTOCOL_VERSION;
  const protocol: ProtocolChoice = isProtocolChoice(v) ? v : 'auto';
  let context: Record<string, unknown> = {};
  if (env.MCP_CONFORMANCE_CONTEXT) {
    try {
      const parsed = JSON.parse(env.MCP_CONFORMANCE_CONTEXT) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        context = parsed as Record<string, unknown>;
    } catch {
      throw new McpSecureError('invalid_metadata', 'MCP_CONFORMANCE_CONTEXT is not valid JSON');
    }
  }
  return { scenario, protocol, context };
}

type CallPlan =
  { kind: 'all' } | { kind: 'none' } | { kind: 'context' } | { kind: 'schema-echo'; focal: string; echo: string };
interface ScenarioPlan {
  readonly calls: CallPlan;
  readonly skills: 'none' | 'list' | 'load';
}

/** Which actions a scenario needs (the reference client's per-scenario handlers, as data). */
export function planFor(scenario: string): ScenarioPlan {
  if (scenario === 'json-schema-2020-12-preservation') {
    return {
      calls: { kind: 'schema-echo', focal: 'json_schema_2020_12_tool', echo: 'json_schema_echo' },
      skills: 'none',
    };
  }
  if (scenario === 'http-custom-headers') return { calls: { kind: 'context' }, skills: 'none' };
  // The scenario serves tools/list only: the client must list (and may inspect) the schemas, never fetch a network $ref.
  if (scenario === 'json-schema-ref-no-deref') return { calls: { kind: 'none' }, skills: 'none' };
  if (scenario === 'sep-2640-client-no-prefetch') return { calls: { kind: 'none' }, skills: 'list' };
  if (scenario.startsWith('sep-2640-client-verify-')) return { calls: { kind: 'none' }, skills: 'load' };
  return { calls: { kind: 'all' }, skills: 'none' };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * OAuth options from the suite's context: a pre-registered client, client credentials
 * (`client_secret_basic` or `private_key_jwt`, SEP-1046), a workload JWT for the RFC 7523 JWT-bearer
 * grant (SEP-1933), or the enterprise IdP inputs for token exchange + JWT bearer (SEP-990).
 */
export function oauthFromContext(context: Readonly<Record<string, unknown>>): OAuthServerOptions {
  const o: OAuthServerOptions = {};
  const clientId = str(context.client_id);
  const clientSecret = str(context.client_secret);
  if (clientId) o.clientId = clientId;
  if (clientSecret) o.clientSecret = clientSecret;
  const privateKeyPem = str(context.private_key_pem);
  if (privateKeyPem) {
    Object.assign(o, {
      grant: 'client_credentials',
      tokenEndpointAuthMethod: 'private_key_jwt',
      privateKeyPem,
      signingAlgorithm: str(context.signing_algorithm) ?? 'ES256',
    } satisfies OAuthServerOptions);
  } else if (context.name === 'auth/client-credentials-basic' && clientSecret) {
    Object.assign(o, {
      grant: 'client_credentials',
      tokenEndpointAuthMethod: 'client_secret_basic',
    } satisfies OAuthServerOptions);
  }
  const assertion = str(context.valid_jwt);
  if (assertion) Object.assign(o, { grant: 'jwt_bearer', assertion } satisfies OAuthServerOptions);
  const idToken = str(context.idp_id_token);
  const idpTokenEndpoint = str(context.idp_token_endpoint);
  const idpClientId = str(context.idp_client_id);
  if (idToken && idpTokenEndpoint && idpClientId) {
    o.grant = 'token_exchange';
    o.enterprise = { tokenEndpoint: idpTokenEndpoint, issuer: str(context.idp_issuer), clientId: idpClientId, idToken };
  }
  return o;
}

/** Secret values in the context, for the redactor. */
export function contextSecrets(context: Readonly<Record<string, unknown>>): string[] {
  return ['client_secret', 'private_key_pem', 'valid_jwt', 'wrong_audience_jwt', 'expired_jwt', 'idp_id_token']
    .map((k) => str(context[k]))
    .filter((v): v is string => v !== undefined);
}

/** Arguments for a tool from its input schema: defaults where given, else a plain value of the declared type. */
export function argumentsFor(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema.required)
    ? (schema.required as unknown[]).filter((r): r is string => typeof r === 'string')
    : [];
  const args: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(props)) {
    if (typeof prop !== 'object' || prop === null) continue;
    if ('default' in prop) args[name] = prop.default;
    else if (required.includes(name)) args[name] = sampleValue(prop);
  }
  return args;
}

function sampleValue(prop: Record<string, unknown>): unknown {
  if (Array.isArray(prop.enum) && prop.enum.length > 0) return prop.enum[0];
  if ('const' in prop) return prop.const;
  const type = Array.isArray(prop.type) ? prop.type[0] : prop.type;
  switch (type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'object':
      return {};
    case 'array':
      return [];
    case 'null':
      return null;
    default:
      return 'conformance';
  }
}

/** Performs the scenario's actions on an open connection. Throws a typed error when something is refused. */
export async function runConformanceActions(
  connection: McpConnection,
  env: ConformanceEnv,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const plan = planFor(env.scenario);
  if (plan.skills !== 'none') {
    await runSkills(connection, plan.skills, logger, signal);
    return;
  }
  const tools = await connection.listTools(signal);
  logger.info(`listed ${tools.length} tool(s)`);
  for (const call of callsFor(plan.calls, tools, env.context)) {
    const result = await connection.callTool(call.name, call.args, { caller: 'cli', signal });
    logger.info(`called ${call.name}: ${result.isError ? 'tool error' : 'ok'}`);
  }
}

function callsFor(
  plan: CallPlan,
  tools: readonly ToolInfo[],
  context: Readonly<Record<string, unknown>>,
): { name: string; args: Record<string, unknown> }[] {
  switch (plan.kind) {
    case 'none':
      return [];
    case 'all':
      return tools.map((t) => ({ name: t.name, args: argumentsFor(t.inputSchema) }));
    case 'context': {
      const calls = Array.isArray(context.toolCalls)
        ? (context.toolCalls as { name?: unknown; arguments?: unknown }[])
        : [];
      return calls
        .filter((c) => typeof c.name === 'string' && tools.some((t) => t.name === c.name))
        .map((c) => ({
          name: c.name as string,
          args: (typeof c.arguments === 'object' && c.arguments !== null ? c.arguments : {}) as Record<string, unknown>,
        }));
    }
    case 'schema-echo': {
      const focal = tools.find((t) => t.name === plan.focal);
      if (!focal || !tools.some((t) => t.name === plan.echo)) return [];
      return [{ name: plan.echo, args: { schema: focal.inputSchema } }];
    }
  }
}

/**
 * Skills (SEP-2640): list without fetching anything; "load" reads each skill's SKILL.md through the
 * SDK's verifying reader (size, digest, frontmatter) and only then its other files. A file that fails
 * verification is refused and nothing after it is read.
 */
async function runSkills(
  connection: McpConnection,
  mode: 'list' | 'load',
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const skills = await connection.listSkills(signal);
  logger.info(`listed ${skills.length} skill(s)`);
  if (mode === 'list') return;
  for (const skill of skills) await loadSkill(connection, skill, logger);
}

async function loadSkill(connection: McpConnection, skill: SkillInfo, logger: Logger): Promise<void> {
  try {
    await readSkill(connection.sdkClient, skill);
    const files = Array.isArray(skill.resources) ? (skill.resources as { uri?: unknown }[]) : [];
    for (const file of files) {
      if (typeof file.uri !== 'string' || file.uri === skill.uri) continue;
      await readSkill(connection.sdkClient, skill, file.uri);
    }
    logger.info(`loaded skill ${skill.name} (${files.length} file(s) verified)`);
  } catch (err) {
    if (err instanceof SkillVerificationError) {
      throw new McpSecureError(
        'skill_verification_failed',
        `refused skill "${skill.name}": ${err.reason} check failed`,
        { cause: err },
      );
    }
    throw err;
  }
}
