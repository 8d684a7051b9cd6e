/**
 * Redaction applied before an audit record is written, shown or exported.
 *
 * Two independent nets: by key name (any value under a secret-named key, at any depth) and by value
 * shape (JWTs per RFC 7519 §7.2 compact form, RFC 6750 §2.1 `Bearer` credentials and friends, PEM
 * private keys per RFC 7468, long high-entropy tokens by Shannon entropy, and exact values registered
 * at runtime such as the stdio shared secret or an access token).
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Key names (normalised: lower case, without `-`, `_`, `.` and spaces) whose values are always redacted. */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  'password', 'passwd', 'pwd', 'passphrase', 'token', 'secret', 'authorization', 'auth', 'proxyauthorization',
  'apikey', 'xapikey', 'clientsecret', 'cookie', 'setcookie', 'accesstoken', 'refreshtoken', 'idtoken',
  'privatekey', 'sessionid', 'sessiontoken', 'credential', 'credentials', 'bearer', 'jwt', 'otp', 'pin',
  'codeverifier', 'sharedsecret', 'signature', 'dpop',
];

/** Substrings that make any key secret (`dbPassword`, `github_token`, `x-api-key`). */
export const DEFAULT_SECRET_KEY_PARTS: readonly string[] = [
  'password', 'passwd', 'secret', 'token', 'apikey', 'privatekey', 'credential', 'authorization', 'cookie',
];

/** Keys that contain a secret-looking part but are counts, not secrets. */
const NOT_SECRET_KEYS = new Set(['maxtokens', 'maxoutputtokens', 'numtokens', 'totaltokens', 'tokencount', 'tokenlimit', 'tokentype', 'tokensused']);

export interface RedactionOptions {
  /** Extra secret key names (merged with the defaults unless `replaceDefaultKeys`). */
  readonly keys?: readonly string[];
  readonly replaceDefaultKeys?: boolean;
  /** Minimum length of a token considered by the entropy check (default 24). */
  readonly entropyMinLength?: number;
  /** Shannon entropy (bits per char) at or above which a long token is redacted (default 4.0 at 24 chars, rising to 4.4). */
  readonly entropyThreshold?: number;
  /** Maximum nesting depth kept; deeper values become `[…]` (default 32). */
  readonly maxDepth?: number;
}

const JWT_RE = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const AUTH_SCHEME_RE = /\b(Bearer|DPoP|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi;
const PEM_RE = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const KEY_VALUE_RE =
  /\b(password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret|access[_-]?token|refresh[_-]?token|id[_-]?token|authorization|cookie|shared[_-]?secret)("?\s*[:=]\s*"?)([^\s"'&,;]+)/gi;
const CANDIDATE_RE = /[A-Za-z0-9+=_\-.~]{20,}/g;
/** Well-known token formats (GitHub, AWS access key ids, Slack, OpenAI/Anthropic-style `sk-`, Google API keys). */
const KNOWN_TOKEN_RE = /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|AKIA[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})\b/g;

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Redacts secrets from arbitrary JSON-like values and free text. One instance per trail. */
export class Redactor {
  private readonly keys: Set<string>;
  private readonly keyParts: readonly string[];
  private readonly known = new Map<string, number>();
  private readonly minLen: number;
  private readonly threshold: number | undefined;
  private readonly maxDepth: number;

  constructor(options: RedactionOptions = {}) {
    const extra = (options.keys ?? []).map(normaliseKey);
    this.keys = new Set(options.replaceDefaultKeys ? extra : [...DEFAULT_SECRET_KEYS, ...extra]);
    this.keyParts = options.replaceDefaultKeys ? [] : DEFAULT_SECRET_KEY_PARTS;
    this.minLen = options.entropyMinLength ?? 24;
    this.threshold = options.entropyThreshold;
    this.maxDepth = options.maxDepth ?? 32;
  }

  /**
   * Registers a secret value seen at runtime (shared secret, token) so it is removed wherever it
   * appears. Values shorter than 8 characters are ignored (they would redact ordinary words).
   */
  registerSecret(value: string): { dispose(): void } {
    if (value.length < 8) return { dispose: () => undefined };
    this.known.set(value, (this.known.get(value) ?? 0) + 1);
    return {
      dispose: () => {
        const n = (this.known.get(value) ?? 1) - 1;
        if (n <= 0) this.known.delete(value);
        else this.known.set(value, n);
      },
    };
  }

  /** True when values under this key are secret. */
  isSecretKey(key: string): boolean {
    const k = normaliseKey(key);
    if (NOT_SECRET_KEYS.has(k)) return false;
    return this.keys.has(k) || this.keyParts.some((p) => k.includes(p));
  }

  /** A redacted deep copy of a JSON-like value. */
  redactValue(value: unknown): unknown {
    return this.walk(value, 0, new WeakSet());
  }

  /** Free text (error messages, command lines) with secret-shaped parts replaced. */
  redactText(text: string): string {
    let out = text;
    for (const secret of this.known.keys()) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    out = out.replace(PEM_RE, REDACTED);
    out = out.replace(JWT_RE, REDACTED);
    out = out.replace(KNOWN_TOKEN_RE, REDACTED);
    out = out.replace(AUTH_SCHEME_RE, (_m, scheme: string, ws: string) => `${scheme}${ws}${REDACTED}`);
    out = out.replace(KEY_VALUE_RE, (m, key: string, sep: string, val: string) => (val === REDACTED || /^(Bearer|DPoP|Basic|Token)$/i.test(val) ? m : `${key}${sep}${REDACTED}`));
    out = out.replace(CANDIDATE_RE, (tok) => (this.isHighEntropy(tok) ? REDACTED : tok));
    return out;
  }

  private isHighEntropy(token: string): boolean {
    if (token.length < this.minLen || token.includes(REDACTED)) return false;
    // Words and paths are not secrets: a token needs letters and digits.
    if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return false;
    if (/^[0-9a-f]+$/i.test(token) && token.length <= 64) return false; // hashes, ids
    const limit = this.threshold ?? Math.min(4.4, 4.0 + (token.length - 24) * 0.025);
    return shannonEntropy(token) >= limit;
  }

  private walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redactText(value);
    if (value === null || typeof value !== 'object') {
      return typeof value === 'bigint' ? value.toString() : typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
    }
    if (depth >= this.maxDepth) return '[…]';
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const key = this.redactText(k);
      out[key] = this.isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : this.walk(v, depth + 1, seen);
    }
    return out;
  }
}
