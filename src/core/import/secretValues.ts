/**
 * Which `env` and `headers` values of an imported server definition are credentials. Those move to
 * secret storage and the definition keeps only their names, so a credential never lands in
 * settings (which sync, and which other extensions read). Decided by the name and by the value's
 * shape; when in doubt a value counts as secret: a non-secret stored as a secret still works, a
 * secret written to settings cannot be taken back.
 */

/** Names that say "credential" (OWASP Secrets Management Cheat Sheet: keys, tokens, passwords). */
const SECRET_NAME =
  /(^|[-_.])(token|secret|passw(or)?d|passwd|pwd|pass|api[-_]?key|apikey|key|auth|authorization|credentials?|private|session|cookie|bearer|pat|signature|sig|cert)([-_.]|$)|token|secret|passw|apikey|api_key|credential/i;

/** Values that look like a credential whatever their name. */
const SECRET_VALUE_PREFIX =
  /^(bearer |basic |token |sk-|sk_|pk_live_|rk_live_|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox[abprs]-|xapp-|AKIA|ASIA|AIza|ya29\.|eyJ[A-Za-z0-9_-]{8,}\.|npm_|pypi-|hf_|shpat_|SG\.)/i;

/** Plain values that are certainly not credentials. */
const PLAIN_VALUE = /^(|true|false|yes|no|on|off|\d{1,12}|[a-z]{1,12}|[a-z]{2}[-_][A-Za-z]{2}(\.UTF-8)?)$/i;

/**
 * True when an environment variable or header value should be stored as a secret: its name says
 * so (`GITHUB_TOKEN`, `X-Api-Key`, `Authorization`), it has a well-known credential prefix, it is a
 * URL with a password in it (`postgres://user:pass@host`), or it is a long random-looking string.
 */
export function isSecretValue(name: string, value: string): boolean {
  if (SECRET_NAME.test(name)) return value.length > 0;
  if (PLAIN_VALUE.test(value)) return false;
  if (SECRET_VALUE_PREFIX.test(value)) return true;
  if (urlWithPassword(value)) return true;
  return looksRandom(value);
}

/**
 * True when a command-line argument carries a credential: `--token=…`, `KEY=…` or `Header: …` whose
 * name says so, an argument after a flag named like one (`--api-key …`), or a value shaped like one.
 * Arguments stay in settings, so such a server cannot be imported without leaking the credential.
 * Random-looking values with `/` are taken for paths and image names here.
 */
export function isSecretArgument(previous: string | undefined, arg: string): boolean {
  const pair = /^-{0,2}([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s*(.+)$/.exec(arg);
  if (pair?.[1] && pair[2] && !/^\/\//.test(pair[2]) && isSecretValue(pair[1], pair[2])) return true;
  if (previous && /^--?[A-Za-z]/.test(previous) && SECRET_NAME.test(previous.replace(/^-+/, ''))) return true;
  if (SECRET_VALUE_PREFIX.test(arg) || urlWithPassword(arg)) return true;
  return looksRandom(arg) && !arg.includes('/');
}

function urlWithPassword(value: string): boolean {
  try {
    return new URL(value).password !== '';
  } catch {
    return false;
  }
}

/**
 * A long token without spaces or path/URL shape, mixing letters and digits: API keys and opaque
 * tokens (20+ characters of base64/hex), not paths, URLs, host names or words.
 */
function looksRandom(value: string): boolean {
  if (value.length < 20 || /\s/.test(value)) return false;
  if (/^[./~\\]|^[A-Za-z]:[\\/]|:\/\//.test(value)) return false;
  if (!/^[A-Za-z0-9+/=_.:-]+$/.test(value)) return false;
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(value) && !/\d{4,}/.test(value)) return false;
  return /[A-Za-z]/.test(value) && /\d/.test(value);
}
