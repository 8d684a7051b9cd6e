/**
 * The one redaction for everything the project writes or shows: log lines (editor output channel and
 * CLI stderr), audit records (store, panel, export) and CLI output. One marker, one rule set.
 *
 * Three independent nets:
 * - by key name, at any depth (`password`, `pass`, `*_key`, `*Token`, …), including `[{name, value}]`
 *   lists (Kubernetes `env`, HAR `headers`, Postman `{key, value}`) where the name says "secret";
 * - by value shape: JWS compact form (RFC 7515 §7.1), `Bearer`/`DPoP`/`Basic` credentials (RFC 6750
 *   §2.1, RFC 9449 §7.1, RFC 7617), PEM private keys (RFC 7468), URL userinfo passwords (RFC 3986
 *   §3.2.1, `postgres://user:pass@host`), authorization codes in redirect URLs (RFC 6749 §4.1.2),
 *   `name=value` pairs whose name is secret, well-known token formats and long high-entropy tokens;
 * - exact values known at runtime ({@link Redactor.registerSecret}): the stdio shared secret, the
 *   session's access and refresh tokens, client secrets, the CLI store key.
 *
 * No `node:` imports: the webview bundle may use it too.
 */

/** What a redacted value is replaced with (the only marker). */
export const REDACTED = '[REDACTED]';

/** Key names (normalised: lower case, without `-`, `_`, `.` and spaces) whose values are always redacted. */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'token',
  'secret',
  'authorization',
  'auth',
  'proxyauthorization',
  'apikey',
  'xapikey',
  'clientsecret',
  'cookie',
  'setcookie',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'privatekey',
  'sessionid',
  'sessiontoken',
  'credential',
  'credentials',
  'bearer',
  'jwt',
  'otp',
  'pin',
  'codeverifier',
  'sharedsecret',
  'signature',
  'dpop',
  'assertion',
  'clientassertion',
  'subjecttoken',
];

/** Substrings that make any key secret (`dbPassword`, `github_token`, `x-api-key`). */
export const DEFAULT_SECRET_KEY_PARTS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'credential',
  'authorization',
  'cookie',
];

/** `db_pass`, `STRIPE_KEY`, `deploy-key`, `signingKey`, `idp_id_jwt`: a separated or camel-case secret suffix. */
const SECRET_SUFFIX_RE = /[-_.\s](?:pass|key|pw|jwt)$/i;
const SECRET_CAMEL_SUFFIX_RE = /[a-z0-9](?:Key|Pass|Jwt)$/;

/** Keys that look secret by the rules above but are counts, types or public identifiers. */
const NOT_SECRET_KEYS = new Set([
  'maxtokens',
  'maxoutputtokens',
  'numtokens',
  'totaltokens',
  'tokencount',
  'tokenlimit',
  'tokentype',
  'tokensused',
  'publickey',
  'primarykey',
  'foreignkey',
  'sortkey',
  'partitionkey',
  'hashkey',
  'rangekey',
  'keyid',
  'idempotencykey',
  'cachekey',
  'tokenendpoint',
  'tokenurl',
  'authorizationendpoint',
  'authorizationserver',
  'authorizationservers',
  'tokenendpointauthmethod',
]);

/** Field names that label the value of a `{name, value}` entry. */
const LABEL_FIELDS = ['name', 'Name', 'key', 'Key'] as const;
/** Field names that carry the value of a `{name, value}` entry. */
const VALUE_FIELDS = ['value', 'Value'] as const;

/** JSON fields whose string leaves are secret when a JSON document is registered (RFC 7517 §9.1 private JWK members too). */
const SECRET_JSON_FIELD = /token|secret|verifier|password|private|^d$|^k$|^p$|^q$|^dp$|^dq$|^qi$/i;
/** Public identifiers in a registered grant or client record: never registered (they must stay readable in audit records). */
const PUBLIC_JSON_FIELD =
  /^(client_?id|sub|subject|iss|issuer|resource|server_?id|server_?url|display_?name|token_?type|grant|client_?kind|kind|scopes?|granted_?scopes|requested_?scopes|version|kty|crv|alg|use|kid|x|y|n|e)$/i;
/** An opaque credential-like leaf in a registered JSON document. */
const OPAQUE_VALUE = /^[A-Za-z0-9._~+/=-]{24,}$/;
/** Registered values shorter than this are ignored (they would redact ordinary words). */
const MIN_KNOWN_LENGTH = 6;
/** At most this many registered values are kept (oldest first out). */
const MAX_KNOWN = 1000;

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
/** `scheme://user:password@` — the password goes, the user stays. */
const USERINFO_RE = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]+)@/gi;
/** `?code=…` in a redirect URL (RFC 6749 §4.1.2). */
const AUTH_CODE_RE = /([?&]code=)[^&#\s"']+/g;
/** `{"name": "DB_PASSWORD", "value": "…"}` inside printed JSON, also JSON inside a JSON string (either member order). */
const NAMED_ENTRY_RE =
  /(\\?"(?:name|key)\\?"\s*:\s*\\?"([^"\\]{1,128})\\?"\s*,\s*\\?"value\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)(\\?")/gi;
const NAMED_ENTRY_REVERSED_RE =
  /(\\?"value\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)(\\?"\s*,\s*\\?"(?:name|key)\\?"\s*:\s*\\?"([^"\\]{1,128})\\?")/gi;
/** Any `name=value`, `name: value` or `"name": "value"`; the replacer decides by the name. */
const NAMED_VALUE_RE = /(["']?)([A-Za-z][A-Za-z0-9_.-]{0,63})\1(\s*[:=]\s*)(["']?)([^\s"'&,;}]+)/g;
const CANDIDATE_RE = /[A-Za-z0-9+=_\-.~]{20,}/g;
/** Well-known token formats (GitHub, AWS access key ids, Slack, OpenAI/Anthropic-style `sk-`, Google API keys). */
const KNOWN_TOKEN_RE =
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|AKIA[0-9A-Z]{16}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35})\b/g;
const AUTH_SCHEME_WORD = /^(Bearer|DPoP|Basic|Token)$/i;
/** Flags, not secrets (`"hasRefreshToken": true`). */
const NOT_A_SECRET_VALUE = /^(true|false|null|undefined)$/;

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

/** Redacts secrets from JSON-like values and free text. One instance per host (extension or CLI run), shared by every surface. */
export class Redactor {
  private readonly keys: Set<string>;
  private readonly keyParts: readonly string[];
  private readonly useSuffixRule: boolean;
  private readonly known = new Map<string, number>();
  private knownGeneration = 0;
  /** Registered values, longest first (a secret containing another is replaced whole); rebuilt on change. */
  private knownSorted: string[] | undefined;
  private readonly minLen: number;
  private readonly threshold: number | undefined;
  private readonly maxDepth: number;

  constructor(options: RedactionOptions = {}) {
    const extra = (options.keys ?? []).map(normaliseKey);
    this.keys = new Set(options.replaceDefaultKeys ? extra : [...DEFAULT_SECRET_KEYS, ...extra]);
    this.keyParts = options.replaceDefaultKeys ? [] : DEFAULT_SECRET_KEY_PARTS;
    this.useSuffixRule = !options.replaceDefaultKeys;
    this.minLen = options.entropyMinLength ?? 24;
    this.threshold = options.entropyThreshold;
    this.maxDepth = options.maxDepth ?? 32;
  }

  /**
   * Registers a secret known at runtime so it is removed wherever it appears. A JSON object or array
   * (a stored grant, a registered client) registers its credential-like string leaves instead of the
   * whole document. Values shorter than 6 characters are ignored.
   */
  registerSecret(value: string | undefined): { dispose(): void } {
    if (!value) return { dispose: () => undefined };
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        const leaves: string[] = [];
        collectSecretLeaves(JSON.parse(trimmed) as unknown, '', leaves);
        const regs = leaves.map((leaf) => this.add(leaf));
        return { dispose: () => regs.forEach((r) => r.dispose()) };
      } catch {
        // not JSON: the whole value is the secret
      }
    }
    return this.add(value);
  }

  /** Changes whenever the set of runtime secrets changes (a cache of redacted text is stale then). */
  get generation(): number {
    return this.knownGeneration;
  }

  /** True when values under this key are secret. */
  isSecretKey(key: string): boolean {
    const k = normaliseKey(key);
    if (NOT_SECRET_KEYS.has(k)) return false;
    if (this.keys.has(k) || this.keyParts.some((p) => k.includes(p))) return true;
    return this.useSuffixRule && (SECRET_SUFFIX_RE.test(key.trim()) || SECRET_CAMEL_SUFFIX_RE.test(key.trim()));
  }

  /** A redacted deep copy of a JSON-like value. */
  redactValue(value: unknown): unknown {
    return this.walk(value, 0, new WeakSet());
  }

  /** Free text (log lines, error messages, command lines, printed JSON) with secret parts replaced. */
  redactText(text: string): string {
    let out = text;
    this.knownSorted ??= [...this.known.keys()].sort((a, b) => b.length - a.length);
    for (const secret of this.knownSorted) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    out = out.replace(PEM_RE, REDACTED);
    out = out.replace(JWT_RE, REDACTED);
    out = out.replace(KNOWN_TOKEN_RE, REDACTED);
    out = out.replace(USERINFO_RE, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
    out = out.replace(NAMED_ENTRY_RE, (m, head: string, name: string, value: string, close: string) =>
      this.isSecretKey(name) && value ? `${head}${REDACTED}${close}` : m,
    );
    out = out.replace(NAMED_ENTRY_REVERSED_RE, (m, head: string, value: string, tail: string, name: string) =>
      this.isSecretKey(name) && value ? `${head}${REDACTED}${tail}` : m,
    );
    out = out.replace(AUTH_CODE_RE, (_m, prefix: string) => `${prefix}${REDACTED}`);
    out = out.replace(AUTH_SCHEME_RE, (_m, scheme: string, ws: string) => `${scheme}${ws}${REDACTED}`);
    out = this.redactNamedValues(out);
    out = out.replace(CANDIDATE_RE, (tok) => (this.isHighEntropy(tok) ? REDACTED : tok));
    return out;
  }

  /**
   * `name=value` pairs whose name is secret. A pair with an ordinary name is skipped only up to its
   * value, which is scanned again (`"script": "DEPLOY_KEY=…"` hides a secret pair inside a value).
   */
  private redactNamedValues(text: string): string {
    const re = new RegExp(NAMED_VALUE_RE.source, 'g');
    let out = '';
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const [whole, q = '', key = '', sep = '', vq = '', val = ''] = m;
      const keep =
        !this.isSecretKey(key) ||
        val.startsWith(REDACTED) ||
        AUTH_SCHEME_WORD.test(val) ||
        val.startsWith('//') ||
        NOT_A_SECRET_VALUE.test(val);
      if (keep) {
        re.lastIndex = m.index + q.length * 2 + key.length + sep.length + vq.length;
        continue;
      }
      // A bare JSON number under a quoted key stays valid JSON as a string.
      const marker = q === '"' && vq === '' ? `"${REDACTED}"` : REDACTED;
      out += `${text.slice(last, m.index)}${q}${key}${q}${sep}${vq}${marker}`;
      last = m.index + whole.length;
    }
    return out + text.slice(last);
  }

  private forgetSorted(): void {
    this.knownSorted = undefined;
    this.knownGeneration++;
  }

  private add(value: string): { dispose(): void } {
    if (value.length < MIN_KNOWN_LENGTH) return { dispose: () => undefined };
    if (!this.known.has(value) && this.known.size >= MAX_KNOWN) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
      this.forgetSorted();
    }
    if (!this.known.has(value)) this.forgetSorted();
    this.known.set(value, (this.known.get(value) ?? 0) + 1);
    return {
      dispose: () => {
        const n = (this.known.get(value) ?? 1) - 1;
        if (n > 0) this.known.set(value, n);
        else if (this.known.delete(value)) this.forgetSorted();
      },
    };
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
      return typeof value === 'bigint'
        ? value.toString()
        : typeof value === 'function' || typeof value === 'symbol'
          ? undefined
          : value;
    }
    if (depth >= this.maxDepth) return '[…]';
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1, seen));
    const record = value as Record<string, unknown>;
    const namedSecret = this.isNamedSecretEntry(record);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      const secret = this.isSecretKey(k) || (namedSecret && (VALUE_FIELDS as readonly string[]).includes(k));
      out[this.redactText(k)] =
        secret && v !== null && v !== undefined && v !== '' && typeof v !== 'boolean'
          ? REDACTED
          : this.walk(v, depth + 1, seen);
    }
    return out;
  }

  /** `{name: 'DB_PASSWORD', value: '…'}` (Kubernetes env, HAR headers and cookies, `{key, value}` lists). */
  private isNamedSecretEntry(record: Record<string, unknown>): boolean {
    if (!VALUE_FIELDS.some((f) => f in record)) return false;
    return LABEL_FIELDS.some((f) => typeof record[f] === 'string' && this.isSecretKey(record[f]));
  }
}

/** The credential-like string leaves of a registered JSON document. */
function collectSecretLeaves(node: unknown, field: string, into: string[]): void {
  if (typeof node === 'string') {
    if (PUBLIC_JSON_FIELD.test(field)) return;
    if (SECRET_JSON_FIELD.test(field) || OPAQUE_VALUE.test(node)) into.push(node);
  } else if (Array.isArray(node)) {
    for (const n of node) collectSecretLeaves(n, field, into);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) collectSecretLeaves(v, k, into);
  }
}
