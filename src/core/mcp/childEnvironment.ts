/**
 * The environment a stdio MCP server is started with: a minimal allowlist inherited from the editor
 * (so no tokens, API keys or proxy credentials of the editor's own environment leak into a server),
 * the definition's non-secret variables, and the shared secret under its configured name.
 * MCP transports 2025-11-25 §stdio leaves the environment to the client; this is least privilege.
 */

/** Variables inherited on POSIX: enough to find programs, write temp files and pick a locale. */
export const POSIX_INHERITED_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TERM',
  'TMPDIR',
  'USER',
  'LOGNAME',
  'SHELL',
  'TZ',
] as const;
/** Variables inherited on Windows (the process cannot start reliably without these). */
export const WINDOWS_INHERITED_ENV = [
  'APPDATA',
  'COMSPEC',
  'HOMEDRIVE',
  'HOMEPATH',
  'LOCALAPPDATA',
  'PATH',
  'PATHEXT',
  'PROCESSOR_ARCHITECTURE',
  'PROGRAMDATA',
  'PROGRAMFILES',
  'PROGRAMFILES(X86)',
  'PROGRAMW6432',
  'SYSTEMDRIVE',
  'SYSTEMROOT',
  'TEMP',
  'TMP',
  'USERNAME',
  'USERPROFILE',
  'WINDIR',
] as const;

export interface ChildEnvironmentInput {
  readonly definitionEnv?: Readonly<Record<string, string>>;
  /** `{ name, value }` of the shared secret, when the mode puts it in the environment. */
  readonly secret?: { readonly name: string; readonly value: string };
  /** The parent environment (defaults to `process.env`). */
  readonly parentEnv?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

/** Build the child's environment. Values starting with `()` are skipped (shell function exports). */
export function buildChildEnvironment(input: ChildEnvironmentInput): Record<string, string> {
  const parent = input.parentEnv ?? process.env;
  const platform = input.platform ?? process.platform;
  const allow = platform === 'win32' ? WINDOWS_INHERITED_ENV : POSIX_INHERITED_ENV;
  const env: Record<string, string> = {};
  for (const name of allow) {
    const key = platform === 'win32' ? Object.keys(parent).find((k) => k.toUpperCase() === name) : name;
    const value = key === undefined ? undefined : parent[key];
    if (value !== undefined && !value.startsWith('()')) env[name] = value;
  }
  Object.assign(env, input.definitionEnv ?? {});
  if (input.secret) env[input.secret.name] = input.secret.value;
  return env;
}
