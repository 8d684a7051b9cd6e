/**
 * Converts a `.vscode/mcp.json` document (VS Code's own MCP configuration: `{ servers: { name: {
 * type, command, args, env, url, headers } } }`) into raw `mcpSecure.servers` entries. Pure; the result
 * still goes through `parseServerDefinition`. Entries using `${input:…}` variables, unsupported types or
 * the shared-secret variable are skipped rather than half-imported.
 */
import { DEFAULT_SECRET_ENV_VAR } from '../core/mcp/serverDefinition';

export interface ImportResult {
  readonly entries: Record<string, unknown>[];
  readonly skipped: string[];
}

export function convertMcpJson(document: unknown, existingIds: ReadonlySet<string>): ImportResult {
  const entries: Record<string, unknown>[] = [];
  const skipped: string[] = [];
  const servers = isRecord(document) && isRecord(document.servers) ? document.servers : {};
  const used = new Set(existingIds);
  for (const [name, raw] of Object.entries(servers)) {
    const entry = isRecord(raw) ? convertOne(raw) : undefined;
    const id = entry ? uniqueId(toId(name), used) : undefined;
    if (!entry || !id || JSON.stringify(raw).includes('${')) {
      skipped.push(name);
      continue;
    }
    used.add(id);
    entries.push({ id, name, ...entry });
  }
  return { entries, skipped };
}

function convertOne(raw: Record<string, unknown>): Record<string, unknown> | undefined {
  const type = typeof raw.type === 'string' ? raw.type : typeof raw.command === 'string' ? 'stdio' : 'http';
  if (type === 'stdio' && typeof raw.command === 'string') {
    const out: Record<string, unknown> = { transport: 'stdio', command: raw.command };
    if (Array.isArray(raw.args)) out.args = raw.args;
    if (typeof raw.cwd === 'string') out.cwd = raw.cwd;
    if (isRecord(raw.env)) {
      if (DEFAULT_SECRET_ENV_VAR in raw.env) return undefined;
      out.env = raw.env;
    }
    return out;
  }
  if ((type === 'http' || type === 'sse') && typeof raw.url === 'string') {
    const out: Record<string, unknown> = { transport: 'http', url: raw.url };
    if (isRecord(raw.headers)) out.headers = raw.headers;
    return out;
  }
  return undefined;
}

function toId(name: string): string {
  const id = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 60);
  return id || 'server';
}

function uniqueId(base: string, used: ReadonlySet<string>): string {
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** mcp.json is JSONC: drop // and /* *\/ comments outside strings, and trailing commas. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else {
      out += c;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
