/**
 * Pure helpers over a tool's `inputSchema` (JSON Schema, MCP 2025-11-25 §Tools): is it flat enough for
 * one quick input per property, how to parse a typed answer, and a skeleton document for the JSON editor.
 */
export type Primitive = 'string' | 'number' | 'integer' | 'boolean';
export interface FlatProperty {
  readonly name: string;
  readonly type: Primitive;
  readonly required: boolean;
  readonly description?: string;
  readonly enumValues?: readonly string[];
}

export function flatProperties(schema: Record<string, unknown>): FlatProperty[] | undefined {
  const props = schema.properties;
  if (props === undefined) return [];
  if (typeof props !== 'object' || props === null) return undefined;
  const required = Array.isArray(schema.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  const out: FlatProperty[] = [];
  for (const [name, raw] of Object.entries(props as Record<string, unknown>)) {
    const p = (raw ?? {}) as Record<string, unknown>;
    const enumValues =
      Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string') ? (p.enum as string[]) : undefined;
    const type = p.type ?? (enumValues ? 'string' : undefined);
    if (type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') return undefined;
    out.push({
      name,
      type,
      required: required.includes(name),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      ...(enumValues ? { enumValues } : {}),
    });
  }
  return out;
}

export function parsePrimitive(type: Primitive, text: string): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) return undefined;
      return n;
    }
  }
}

/** A starting document: required properties with a typed placeholder (or the schema default). */
export function skeleton(schema: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(props)) {
    if (!required.includes(name) && p?.default === undefined) continue;
    out[name] = p?.default ?? placeholder(p ?? {});
  }
  return out;
}

function placeholder(p: Record<string, unknown>): unknown {
  switch (p.type) {
    case 'object':
      return skeleton(p);
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}
