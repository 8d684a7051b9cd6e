import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ToolInfo } from '../../core/mcp/types';
import { toPlainText } from '../plainText';
import { Strings } from '../strings';

type Primitive = 'string' | 'number' | 'integer' | 'boolean';
interface FlatProperty {
  readonly name: string;
  readonly type: Primitive;
  readonly required: boolean;
  readonly description?: string;
  readonly enumValues?: readonly string[];
}

/**
 * Collects a tool's arguments from its JSON Schema (MCP 2025-11-25 §Tools: `inputSchema`): one quick
 * input per property when the schema is flat (primitives and string enums), otherwise a JSON editor
 * prefilled with a skeleton. Escape anywhere cancels the call.
 */
export async function collectArguments(tool: ToolInfo): Promise<Record<string, unknown>> {
  const flat = flatProperties(tool.inputSchema);
  return flat ? askEach(flat) : editAsJson(tool);
}

export function flatProperties(schema: Record<string, unknown>): FlatProperty[] | undefined {
  const props = schema.properties;
  if (props === undefined) return [];
  if (typeof props !== 'object' || props === null) return undefined;
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const out: FlatProperty[] = [];
  for (const [name, raw] of Object.entries(props as Record<string, unknown>)) {
    const p = (raw ?? {}) as Record<string, unknown>;
    const enumValues = Array.isArray(p.enum) && p.enum.every((v) => typeof v === 'string') ? (p.enum as string[]) : undefined;
    const type = p.type ?? (enumValues ? 'string' : undefined);
    if (type !== 'string' && type !== 'number' && type !== 'integer' && type !== 'boolean') return undefined;
    out.push({ name, type, required: required.includes(name), ...(typeof p.description === 'string' ? { description: p.description } : {}), ...(enumValues ? { enumValues } : {}) });
  }
  return out;
}

async function askEach(props: readonly FlatProperty[]): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = {};
  for (const prop of props) {
    const value = await askOne(prop);
    if (value !== undefined) args[prop.name] = value;
  }
  return args;
}

async function askOne(prop: FlatProperty): Promise<unknown> {
  const title = Strings.toolArg(prop.name, prop.required, prop.type);
  const placeHolder = prop.description ? toPlainText(prop.description, 200) : undefined;
  if (prop.type === 'boolean' || prop.enumValues) {
    const options = prop.enumValues ?? ['true', 'false'];
    const items = prop.required ? options : [...options, '(omit)'];
    const picked = await vscode.window.showQuickPick(items, { title, ...(placeHolder ? { placeHolder } : {}), ignoreFocusOut: true });
    if (picked === undefined) throw new McpSecureError('cancelled', Strings.cancelled);
    if (picked === '(omit)') return undefined;
    return prop.type === 'boolean' ? picked === 'true' : picked;
  }
  const text = await vscode.window.showInputBox({
    title, ...(placeHolder ? { prompt: placeHolder } : {}), ignoreFocusOut: true,
    validateInput: (v) => (v === '' && !prop.required) || parsePrimitive(prop.type, v) !== undefined ? undefined : Strings.argInvalid(prop.type),
  });
  if (text === undefined) throw new McpSecureError('cancelled', Strings.cancelled);
  return text === '' && !prop.required ? undefined : parsePrimitive(prop.type, text);
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

async function editAsJson(tool: ToolInfo): Promise<Record<string, unknown>> {
  const content = JSON.stringify(skeleton(tool.inputSchema), null, 2);
  const document = await vscode.workspace.openTextDocument({ language: 'json', content });
  await vscode.window.showTextDocument(document, { preview: false });
  const answer = await vscode.window.showInformationMessage(Strings.jsonArgsEditor, Strings.callWithArgs);
  if (answer !== Strings.callWithArgs) throw new McpSecureError('cancelled', Strings.cancelled);
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.getText());
  } catch {
    throw new McpSecureError('invalid_tool', Strings.argsNotJson);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new McpSecureError('invalid_tool', Strings.argsNotJson);
  return parsed as Record<string, unknown>;
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
