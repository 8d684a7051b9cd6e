import { isClientMetadataDocumentUrl, parseEndpointUrl } from '../core/common/urlPolicy';
import {
  GRANT_KINDS,
  PKCE_CHOICES,
  RESOURCE_PARAMETER_CHOICES,
  STDIO_SECRET_MODES,
  type HttpOAuthOptions,
  type StdioSecretMode,
} from '../core/mcp/serverDefinition';
import { PROTOCOL_CHOICES, isProtocolChoice, type ProtocolChoice } from '../core/mcp/protocolVersions';

/** A command-line mistake: exit code 1 with the message and a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const commandNames = [
  'login',
  'tools',
  'call',
  'logout',
  'whoami',
  'check',
  'conformance',
  'help',
  'version',
] as const;
export type CommandName = (typeof commandNames)[number];

/** Where tokens live: nothing persisted (default), or an encrypted file the user names. */
export type StoreSpec = { kind: 'memory' } | { kind: 'file'; path: string };
/** `--secret-mode`: the definition's own `secret.mode`. */
export type SecretMode = StdioSecretMode;

/** The grants the CLI offers (token exchange needs an IdP configuration the flags do not carry). */
const CLI_GRANTS = GRANT_KINDS.filter(
  (g): g is Exclude<(typeof GRANT_KINDS)[number], 'token_exchange'> => g !== 'token_exchange',
);
type CliGrant = (typeof CLI_GRANTS)[number];

export type Target = { kind: 'http'; url: URL } | { kind: 'stdio'; command: string; args: string[] };

export interface CliOptions {
  json: boolean;
  verbose: boolean;
  store: StoreSpec;
  storeKeyFile?: string;
  openWith?: string;
  clientId?: string;
  /** Name of the environment variable holding the client secret (secrets never go on argv). */
  clientSecretEnv?: string;
  scopes: string[];
  timeoutMs: number;
  /** `--protocol`; absent: the transport's default (HTTP `auto`, stdio `2025-11-25`). */
  protocol?: ProtocolChoice;
  secretMode: SecretMode;
  secretEnvVar: string;
  /** DPoP-bound tokens (RFC 9449): `off` (default, Bearer, as in the extension), `on` (required), `auto` (when the AS advertises it). */
  dpop: 'auto' | 'on' | 'off';
  /** Consent in advance to widening scopes when the server answers 403 insufficient_scope. */
  allowStepUp: boolean;
  /** HTTPS URL of a Client ID Metadata Document to use as client_id where the AS supports it. */
  clientMetadataUrl?: string;
  /** Tool arguments (`call --args '<json object>'`). */
  toolArgs: Record<string, unknown>;
  /** `logout --forget-client`: also forget the dynamic client registration at the authorization server. */
  forgetClient?: boolean;
  /** `call --task`: run a tool whose task support is "optional" as a task (MCP 2025-11-25 §Utilities/Tasks). */
  preferTask?: boolean;
  /** `--pkce assume-s256`: the per-server override for an AS that does not advertise PKCE (default `require`). */
  pkce?: HttpOAuthOptions['pkce'];
  /** `--resource-parameter`: how the RFC 8707 resource is sent (`resource`, `audience`, `omit`). */
  resourceParameter?: HttpOAuthOptions['resourceParameter'];
  /** `--grant`: the OAuth grant (default `authorization_code`; machine grants for scripts and CI). */
  grant?: CliGrant;
  /** `--assertion-env VAR`: the environment variable holding the JWT bearer assertion (never argv). */
  assertionEnv?: string;
  /** `--env NAME=VALUE` (stdio, repeatable): extra environment for the server (not for secrets). */
  env: Record<string, string>;
}

export interface ParsedCommand {
  command: CommandName;
  target?: Target;
  tool?: string;
  options: CliOptions;
}

const valueOptions = new Set([
  '--args',
  '--store',
  '--store-key-file',
  '--open-with',
  '--client-id',
  '--client-secret-env',
  '--scope',
  '--timeout',
  '--protocol',
  '--secret-mode',
  '--secret-env',
  '--client-metadata-url',
  '--dpop',
  '--pkce',
  '--resource-parameter',
  '--grant',
  '--assertion-env',
  '--env',
]);
const flagOptions = new Set([
  '--json',
  '--verbose',
  '-v',
  '--help',
  '-h',
  '--stdio',
  '--version',
  '--allow-step-up',
  '--forget-client',
  '--task',
]);
const DEFAULT_TIMEOUT_MS = 120_000;

function defaults(): CliOptions {
  return {
    json: false,
    verbose: false,
    store: { kind: 'memory' },
    scopes: [],
    timeoutMs: DEFAULT_TIMEOUT_MS,
    secretMode: 'both',
    secretEnvVar: 'MCP_SHARED_SECRET',
    allowStepUp: false,
    dpop: 'off',
    toolArgs: {},
    env: {},
  };
}

interface RawArgs {
  positionals: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
  stdioCommand?: string[];
}

function splitArgv(argv: readonly string[]): RawArgs {
  const raw: RawArgs = { positionals: [], values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      raw.stdioCommand = argv.slice(i + 1);
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (valueOptions.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      raw.values.set(name, [...(raw.values.get(name) ?? []), value]);
    } else if (flagOptions.has(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      raw.flags.add(name);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${name}`);
    } else {
      raw.positionals.push(arg);
    }
  }
  return raw;
}

function single(raw: RawArgs, name: string): string | undefined {
  const values = raw.values.get(name);
  if (values && values.length > 1) throw new UsageError(`${name} given more than once`);
  return values?.[0];
}

/** Parses `--store memory | file:<path>`. A bare path is refused so nobody persists tokens by accident. */
export function parseStoreSpec(value: string): StoreSpec {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('file:') && value.length > 'file:'.length)
    return { kind: 'file', path: value.slice('file:'.length) };
  throw new UsageError(`--store must be "memory" or "file:<path>", got "${value}"`);
}

/**
 * Parses a server URL. Malformed input is a usage error; a well-formed URL that is unsafe (not https, and
 * not http on a loopback host) is refused with `insecure_url` (exit 2), per MCP authorization §Communication
 * Security: "All authorization server endpoints MUST be served over HTTPS" (loopback excepted for development).
 */
export function parseServerUrl(value: string): URL {
  return parseEndpointUrl(value, 'server URL');
}

function parseToolArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('--args is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError('--args must be a JSON object');
  return value as Record<string, unknown>;
}

function parseOptions(raw: RawArgs): CliOptions {
  const o = defaults();
  o.json = raw.flags.has('--json');
  o.verbose = raw.flags.has('--verbose') || raw.flags.has('-v');
  const store = single(raw, '--store');
  if (store !== undefined) o.store = parseStoreSpec(store);
  o.storeKeyFile = single(raw, '--store-key-file');
  if (o.storeKeyFile !== undefined && o.store.kind !== 'file')
    throw new UsageError('--store-key-file needs --store file:<path>');
  o.openWith = single(raw, '--open-with');
  o.clientId = single(raw, '--client-id');
  o.clientSecretEnv = single(raw, '--client-secret-env');
  o.allowStepUp = raw.flags.has('--allow-step-up');
  const dpop = single(raw, '--dpop');
  if (dpop !== undefined) {
    if (dpop !== 'auto' && dpop !== 'on' && dpop !== 'off') throw new UsageError('--dpop must be auto, on or off');
    o.dpop = dpop;
  }
  const cimd = single(raw, '--client-metadata-url');
  if (cimd !== undefined) {
    if (!isClientMetadataDocumentUrl(cimd))
      throw new UsageError('--client-metadata-url must be an https URL with a path');
    o.clientMetadataUrl = new URL(cimd).href;
  }
  o.scopes = (raw.values.get('--scope') ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => s.length > 0);
  const timeout = single(raw, '--timeout');
  if (timeout !== undefined) {
    o.timeoutMs = Number(timeout);
    if (!Number.isInteger(o.timeoutMs) || o.timeoutMs <= 0)
      throw new UsageError('--timeout must be a positive integer (milliseconds)');
  }
  const protocol = single(raw, '--protocol');
  if (protocol !== undefined) {
    if (!isProtocolChoice(protocol)) throw new UsageError(`--protocol must be ${PROTOCOL_CHOICES.join(', ')}`);
    o.protocol = protocol;
  }
  o.secretMode = oneOf(raw, '--secret-mode', STDIO_SECRET_MODES) ?? o.secretMode;
  const envVar = single(raw, '--secret-env');
  if (envVar !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envVar))
      throw new UsageError('--secret-env must be an environment variable name');
    o.secretEnvVar = envVar;
  }
  o.toolArgs = parseToolArgs(single(raw, '--args'));
  parseParityOptions(raw, o);
  return o;
}

function oneOf<T extends string>(raw: RawArgs, name: string, allowed: readonly T[]): T | undefined {
  const value = single(raw, name);
  if (value !== undefined && !(allowed as readonly string[]).includes(value))
    throw new UsageError(`${name} must be ${allowed.join(', ')}`);
  return value as T | undefined;
}

/** The per-server settings the extension has, as flags: PKCE override, resource parameter, machine grants, stdio environment. */
function parseParityOptions(raw: RawArgs, o: CliOptions): void {
  o.pkce = oneOf(raw, '--pkce', PKCE_CHOICES);
  o.resourceParameter = oneOf(raw, '--resource-parameter', RESOURCE_PARAMETER_CHOICES);
  o.grant = oneOf(raw, '--grant', CLI_GRANTS);
  o.assertionEnv = single(raw, '--assertion-env');
  if (o.assertionEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.assertionEnv))
    throw new UsageError('--assertion-env must be an environment variable name');
  if (o.grant === 'jwt_bearer' && !o.assertionEnv)
    throw new UsageError(
      '--grant jwt_bearer needs --assertion-env <VAR> (the assertion never goes on the command line)',
    );
  if (o.grant === 'client_credentials' && !o.clientId)
    throw new UsageError('--grant client_credentials needs --client-id (and --client-secret-env)');
  for (const pair of raw.values.get('--env') ?? []) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env needs NAME=VALUE, got "${pair}"`);
    o.env[name] = pair.slice(eq + 1);
  }
}

function parseTarget(command: CommandName, raw: RawArgs, rest: string[]): { target: Target; tool?: string } {
  const wantsTool = command === 'call';
  if (raw.flags.has('--stdio')) {
    const cmd = raw.stdioCommand;
    if (!cmd || cmd.length === 0 || !cmd[0]) throw new UsageError('--stdio needs the server command after "--"');
    if (
      command === 'login' ||
      command === 'logout' ||
      command === 'whoami' ||
      command === 'check' ||
      command === 'conformance'
    ) {
      throw new UsageError(`${command} applies to HTTP servers only (stdio servers use a shared secret, not OAuth)`);
    }
    const expected = wantsTool ? 1 : 0;
    if (rest.length !== expected)
      throw new UsageError(wantsTool ? 'call --stdio needs exactly one tool name' : `unexpected argument "${rest[0]}"`);
    return { target: { kind: 'stdio', command: cmd[0], args: cmd.slice(1) }, tool: wantsTool ? rest[0] : undefined };
  }
  if (raw.stdioCommand) throw new UsageError('a command after "--" needs --stdio');
  const expected = wantsTool ? 2 : 1;
  if (rest.length < expected) throw new UsageError(wantsTool ? 'call needs <url> <tool>' : `${command} needs <url>`);
  if (rest.length > expected) throw new UsageError(`unexpected argument "${rest[expected]}"`);
  return { target: { kind: 'http', url: parseServerUrl(rest[0] as string) }, tool: wantsTool ? rest[1] : undefined };
}

/** Parses the CLI's argv (without `node` and the script path). Throws UsageError or McpSecureError('insecure_url'). */
export function parseCliArgs(argv: readonly string[]): ParsedCommand {
  const raw = splitArgv(argv);
  const options = parseOptions(raw);
  if (raw.flags.has('--version')) return { command: 'version', options };
  const [first, ...rest] = raw.positionals;
  if (raw.flags.has('--help') || raw.flags.has('-h') || first === undefined || first === 'help')
    return { command: 'help', options };
  if (!(commandNames as readonly string[]).includes(first)) throw new UsageError(`unknown command "${first}"`);
  const command = first as CommandName;
  if (command === 'version') return { command, options };
  if (command !== 'call' && raw.values.has('--args')) throw new UsageError('--args applies to "call" only');
  if (Object.keys(options.env).length > 0 && !raw.flags.has('--stdio'))
    throw new UsageError('--env applies to stdio servers (--stdio) only');
  if (raw.flags.has('--forget-client')) {
    if (command !== 'logout') throw new UsageError('--forget-client applies to "logout" only');
    options.forgetClient = true;
  }
  if (raw.flags.has('--task')) {
    if (command !== 'call') throw new UsageError('--task applies to "call" only');
    options.preferTask = true;
  }
  const { target, tool } = parseTarget(command, raw, rest);
  return { command, target, tool, options };
}
