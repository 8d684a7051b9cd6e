import { createHash } from 'node:crypto';
import type { StdioServerDefinition } from './serverDefinition';

/**
 * Fields of a stdio definition that only label it; every other field (command, args, cwd, env, the
 * secret's mode and environment variable, and any field added later) changes what runs or what it is
 * given, so it is part of the launch spec.
 */
const LABEL_FIELDS: ReadonlySet<string> = new Set(['id', 'name']);

/** JSON with object keys sorted at every level (arrays keep their order: argument order matters). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The normalized launch spec of a stdio server: the whole parsed definition minus its label fields. */
export function launchSpec(def: StdioServerDefinition): Record<string, unknown> {
  return Object.fromEntries(Object.entries(def).filter(([k]) => !LABEL_FIELDS.has(k)));
}

/**
 * SHA-256 (hex) of the canonical launch spec. A launch confirmation and a stdio shared secret are bound
 * to this key, so changing anything that changes what runs — including switching the secret's variable
 * to e.g. `NODE_OPTIONS` — asks again and never hands the old secret to the new command line.
 */
export function launchSpecKey(def: StdioServerDefinition): string {
  return createHash('sha256')
    .update(canonicalJson(launchSpec(def)), 'utf8')
    .digest('hex');
}
