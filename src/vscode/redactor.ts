/**
 * Removes secrets from text before it reaches the output channel: values registered verbatim (every
 * value read from or written to SecretStorage, and the credential-like leaves of JSON values), plus
 * shape-based rules for what a secret looks like even when nobody registered it.
 */
const REDACTED = '[redacted]';
const MIN_KNOWN_LENGTH = 8;
const MAX_KNOWN = 500;
const SECRET_FIELD = /token|secret|verifier|password|private|^d$|^k$|^p$|^q$|^dp$|^dq$|^qi$/i;
const OPAQUE_VALUE = /^[A-Za-z0-9._~+/=-]{24,}$/;

type Rule = readonly [RegExp, (match: string, ...groups: string[]) => string];

const SHAPES: readonly Rule[] = [
  // JWS/JWT compact serialisation
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, () => REDACTED],
  // Authorization header values
  [/\b(Bearer|DPoP|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme = '') => `${scheme} ${REDACTED}`],
  // credential-named fields in JSON, form bodies, query strings and env assignments
  [
    /\b(access_token|refresh_token|id_token|client_secret|code_verifier|secret|password|MCP_SHARED_SECRET)("?\s*[:=]\s*"?)[^"&\s,;}]{4,}/gi,
    (_m, name = '', sep = '') => `${name}${sep}${REDACTED}`,
  ],
  // authorization codes in redirect URLs
  [/([?&]code=)[^&\s"]+/g, (_m, prefix = '') => `${prefix}${REDACTED}`],
  // long opaque base64url runs (opaque tokens, shared secrets)
  [/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g, () => REDACTED],
];

export class Redactor {
  private readonly known = new Set<string>();

  /** Register a secret value; JSON values register their credential-like string leaves instead. */
  register(value: string): void {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        this.addLeaves(JSON.parse(trimmed) as unknown, '');
        return;
      } catch {
        // not JSON: register the whole value below
      }
    }
    this.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.known) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const [shape, replace] of SHAPES) {
      out = out.replace(shape, replace as (substring: string, ...args: unknown[]) => string);
    }
    return out;
  }

  private add(value: string): void {
    if (value.length < MIN_KNOWN_LENGTH || this.known.has(value)) return;
    if (this.known.size >= MAX_KNOWN) {
      const oldest = this.known.values().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
    this.known.add(value);
  }

  private addLeaves(node: unknown, field: string): void {
    if (typeof node === 'string') {
      if (SECRET_FIELD.test(field) || OPAQUE_VALUE.test(node)) this.add(node);
    } else if (Array.isArray(node)) {
      node.forEach((n) => this.addLeaves(n, field));
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) this.addLeaves(v, k);
    }
  }
}
