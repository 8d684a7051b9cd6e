/**
 * Redaction for everything the CLI writes (log lines, error messages, JSON output). Two layers:
 * exact values the CLI knows are secret (client secrets, store keys, stdio shared secrets, tokens it saw),
 * and secret-shaped text (JWTs, `Bearer`/`DPoP` credentials, `name=value` pairs with secret names, PEM keys).
 */
const REDACTED = '[redacted]';

const secretNames = 'access_token|refresh_token|id_token|client_secret|code_verifier|client_assertion|assertion|subject_token|password|secret|token|api_key|apikey|private_key|private_key_pem|valid_jwt|wrong_audience_jwt|expired_jwt|idp_id_token';
/** Whole matches that are replaced. */
const shapePatterns: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\b(?:Bearer|DPoP|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];
/** `name=value` / `"name": "value"` with a secret-sounding name: the value is replaced, the name kept. */
const namedValue = new RegExp(`(["']?\\b(?:${secretNames})["']?\\s*[:=]\\s*["']?)([^"'&\\s,}]{4,})`, 'gi');
/** An authorization code in a redirect URL (`?code=…`). */
const authorizationCode = /([?&]code=)[^&#\s"']+/g;

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remember a value that must never be printed. Short values are ignored (they would mangle ordinary text). */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 6) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    for (const p of shapePatterns) out = out.replace(p, REDACTED);
    out = out.replace(authorizationCode, (_m: string, name: string) => `${name}${REDACTED}`);
    return out.replace(namedValue, (_m: string, name: string) => `${name}${REDACTED}`);
  }
}
