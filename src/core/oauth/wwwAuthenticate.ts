/**
 * Parse `WWW-Authenticate` challenges (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9728 §5.1, RFC 9449 §7.1).
 */

export interface AuthChallenge {
  /** Lower-cased scheme, e.g. `bearer`, `dpop`. */
  scheme: string;
  params: Record<string, string>;
}

/** Parse all challenges in a header value (several schemes may be comma-joined). */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header) return [];
  const out: AuthChallenge[] = [];
  // token, then auth-params `name=value` or `name="quoted"`, separated by commas.
  const re = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*))?\s*,?/gy;
  let current: AuthChallenge | undefined;
  let m: RegExpExecArray | null;
  while (re.lastIndex < header.length && (m = re.exec(header)) !== null) {
    const [, name, rawValue] = m;
    if (!name) break;
    if (rawValue === undefined) {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    // A token68 or param after a scheme with a space, e.g. `Bearer realm="x"`: the regex yields the
    // scheme separately only if followed by whitespace; handle "Bearer realm=..." by splitting.
    const value = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue;
    if (!current) continue;
    current.params[name.toLowerCase()] = value;
  }
  return out;
}

/** The first Bearer or DPoP challenge's parameters (merged view), or an empty record. */
export function challengeParams(headers: Headers): Record<string, string> {
  const all = parseWwwAuthenticate(headers.get('www-authenticate'));
  const chosen = all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'dpop') ?? all[0];
  return chosen?.params ?? {};
}

/** True when any challenge (Bearer or DPoP) says `error="use_dpop_nonce"` (RFC 9449 §9). */
export function isDpopNonceChallenge(headers: Headers): boolean {
  return parseWwwAuthenticate(headers.get('www-authenticate')).some((c) => c.params.error === 'use_dpop_nonce');
}
