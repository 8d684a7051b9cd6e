import { isMcpSecureError } from '../errors';
import { canonicalUrl } from '../oauth/grantBinding';
import { parseServerDefinition, validateEndpointUrl, type ServerDefinition } from '../mcp/serverDefinition';
import { isRecord, type ClientConfigEntry } from './clientConfigs';
import { isSecretArgument, isSecretValue } from './secretValues';

/**
 * Why a server of another client's file is not imported:
 * - `duplicate_id`: its id is taken (by a configured server with another target, or by an earlier entry);
 * - `unsupported_transport`: neither stdio nor Streamable HTTP / SSE (e.g. a WebSocket server);
 * - `invalid_url`: the URL fails the endpoint policy (`https:`, `http:` only on loopback, no credentials);
 * - `invalid_definition`: anything else `parseServerDefinition` refuses (a relative command, a bad name…);
 * - `already_present`: a configured server already has the same URL or the same command line;
 * - `uses_variables`: it uses `${…}` variables only the original client resolves (`${input:…}`, `${env:…}`);
 * - `secret_in_args`: a credential in its command-line arguments, which would have to be written to settings.
 */
export type ImportSkipReason =
  | 'duplicate_id'
  | 'unsupported_transport'
  | 'invalid_url'
  | 'invalid_definition'
  | 'already_present'
  | 'uses_variables'
  | 'secret_in_args';

/** A server that will be added: the settings entry (secret values replaced by names) and the values to store. */
export interface ImportAddition {
  /** The name in the original file (untrusted: shown only through the safe-text function). */
  readonly name: string;
  readonly def: ServerDefinition;
  /** What goes into settings: `secretEnv` / `secretHeaders` name the values, never contain them. */
  readonly entry: Readonly<Record<string, unknown>>;
  /** Values for secret storage, keyed by environment variable or header name. */
  readonly secrets: Readonly<Record<string, string>>;
}

export interface ImportSkip {
  readonly name: string;
  readonly reason: ImportSkipReason;
  /** Why, in words built from public facts (a field name, the id it collides with); never a value. */
  readonly detail: string;
}

export interface ImportPlan {
  readonly additions: readonly ImportAddition[];
  readonly skipped: readonly ImportSkip[];
}

type Mapped = { readonly entry: Record<string, unknown>; readonly secrets: Record<string, string> } | ImportSkip;

/**
 * Map each entry of another client's file onto an `mcpSecure.servers` definition and decide what is
 * added and what is skipped (and why). Pure. Every value is untrusted: URLs go through the endpoint
 * policy and the whole entry through `parseServerDefinition`; credential-looking `env` and `headers`
 * values are split off into `secrets` (see `isSecretValue`) so settings only name them.
 */
export function planImport(entries: readonly ClientConfigEntry[], existing: readonly ServerDefinition[]): ImportPlan {
  const additions: ImportAddition[] = [];
  const skipped: ImportSkip[] = [];
  const taken = new Map(existing.map((d) => [d.id, d]));
  for (const { name, raw } of entries) {
    const mapped = mapEntry(name, raw);
    if ('reason' in mapped) {
      skipped.push(mapped);
      continue;
    }
    const id = toId(name);
    let def: ServerDefinition;
    try {
      def = parseServerDefinition({ id, name, ...mapped.entry });
    } catch (err) {
      skipped.push(skip(name, 'invalid_definition', isMcpSecureError(err) ? err.message : 'is not a valid server.'));
      continue;
    }
    const twin = [...taken.values()].find((d) => sameTarget(d, def));
    if (twin) {
      skipped.push(skip(name, 'already_present', `Already configured as "${twin.id}".`));
      continue;
    }
    if (taken.has(id)) {
      skipped.push(skip(name, 'duplicate_id', `The id "${id}" is already used by another server.`));
      continue;
    }
    taken.set(id, def);
    additions.push({ name, def, entry: { id, name, ...mapped.entry }, secrets: mapped.secrets });
  }
  return { additions, skipped };
}

function mapEntry(name: string, raw: unknown): Mapped {
  if (!isRecord(raw)) return skip(name, 'invalid_definition', 'The entry is not an object.');
  if (JSON.stringify(raw).includes('${'))
    return skip(name, 'uses_variables', 'It uses ${…} variables that only the original app can fill in.');
  const type = typeof raw.type === 'string' ? raw.type.toLowerCase() : undefined;
  const stdio = type === 'stdio' || (type === undefined && typeof raw.command === 'string');
  const http =
    type === 'http' ||
    type === 'sse' ||
    type === 'streamable-http' ||
    type === 'streamablehttp' ||
    (type === undefined && typeof raw.url === 'string');
  if (
    stdio &&
    Array.isArray(raw.args) &&
    raw.args.some((a, i) => typeof a === 'string' && isSecretArgument(str(raw.args, i - 1), a))
  )
    return skip(
      name,
      'secret_in_args',
      'A credential in its arguments would end up in settings; move it to "env" in the original file, then import.',
    );
  if (stdio) return mapStdio(raw);
  if (http) return mapHttp(name, raw);
  return skip(
    name,
    'unsupported_transport',
    type === undefined ? 'It has neither a command nor a URL.' : `The transport "${type}" is not supported.`,
  );
}

function mapStdio(raw: Record<string, unknown>): Mapped {
  const entry: Record<string, unknown> = { transport: 'stdio', command: raw.command };
  if (raw.args !== undefined) entry.args = raw.args;
  if (raw.cwd !== undefined) entry.cwd = raw.cwd;
  const { plain, secrets } = splitSecrets(raw.env);
  if (plain) entry.env = plain;
  if (Object.keys(secrets).length) entry.secretEnv = Object.keys(secrets);
  return { entry, secrets };
}

function mapHttp(name: string, raw: Record<string, unknown>): Mapped {
  if (typeof raw.url !== 'string') return skip(name, 'invalid_url', 'It has no URL.');
  try {
    validateEndpointUrl(raw.url);
  } catch (err) {
    // The policy's message names the field and the rule, never the URL (it may hold credentials).
    const why = isMcpSecureError(err) ? err.message.replace(/^Invalid server definition: /, '') : '';
    return skip(name, 'invalid_url', why || 'The URL is not valid.');
  }
  const entry: Record<string, unknown> = { transport: 'http', url: raw.url };
  const { plain, secrets } = splitSecrets(raw.headers, (k) => k.toLowerCase() === 'authorization');
  if (plain) entry.headers = plain;
  if (Object.keys(secrets).length) entry.secretHeaders = Object.keys(secrets);
  return { entry, secrets };
}

/**
 * Split a name → value map into plain values (kept in settings) and credentials (stored as secrets).
 * A non-object or a non-string value is passed through for `parseServerDefinition` to refuse.
 */
function splitSecrets(
  raw: unknown,
  alwaysSecret: (name: string) => boolean = () => false,
): { plain?: unknown; secrets: Record<string, string> } {
  if (raw === undefined) return { secrets: {} };
  if (!isRecord(raw)) return { plain: raw, secrets: {} };
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' && (alwaysSecret(k) || isSecretValue(k, v))) secrets[k] = v;
    else plain[k] = v;
  }
  return { plain: Object.keys(plain).length ? plain : undefined, secrets };
}

function str(list: unknown, index: number): string | undefined {
  const v = Array.isArray(list) ? (list as unknown[])[index] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function sameTarget(a: ServerDefinition, b: ServerDefinition): boolean {
  if (a.transport === 'http' && b.transport === 'http') return canonicalUrl(a.url) === canonicalUrl(b.url);
  if (a.transport === 'stdio' && b.transport === 'stdio')
    return a.command === b.command && JSON.stringify(a.args) === JSON.stringify(b.args);
  return false;
}

/** A settings id from a display name: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export function toId(name: string): string {
  const id = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return id || 'server';
}

function skip(name: string, reason: ImportSkipReason, detail: string): ImportSkip {
  return { name, reason, detail };
}
