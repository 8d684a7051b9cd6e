import * as vscode from 'vscode';
import { McpSecureError } from '../../core/errors';
import type { ToolInfo } from '../../core/mcp/types';
import { safeText } from '../../core/common/safeText';
import { Strings } from '../strings';
import { flatProperties, parsePrimitive, skeleton, type FlatProperty } from './toolSchema';

/**
 * Collects a tool's arguments from its JSON Schema (MCP 2025-11-25 §Tools: `inputSchema`): one quick
 * input per property when the schema is flat (primitives and string enums), otherwise a JSON editor
 * prefilled with a skeleton. Escape anywhere cancels the call.
 */
export async function collectArguments(tool: ToolInfo): Promise<Record<string, unknown>> {
  const flat = flatProperties(tool.inputSchema);
  return flat ? askEach(flat) : editAsJson(tool);
}

/** One quick input per property, prefilled from `defaults` (tool calls and form elicitation). */
export async function askEach(
  props: readonly FlatProperty[],
  defaults: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const args: Record<string, unknown> = {};
  for (const prop of props) {
    const value = await askOne(prop, defaults[prop.name]);
    if (value !== undefined) args[prop.name] = value;
  }
  return args;
}

async function askOne(prop: FlatProperty, preset: unknown): Promise<unknown> {
  const title = Strings.toolArg(prop.name, prop.required, prop.type);
  const placeHolder = prop.description ? safeText(prop.description, 200) : undefined;
  if (prop.type === 'boolean' || prop.enumValues) {
    const base = prop.enumValues ?? ['true', 'false'];
    const options = preset === undefined ? base : [String(preset), ...base.filter((o) => o !== String(preset))];
    const items = prop.required ? options : [...options, '(omit)'];
    // Enum values come from the server's schema: shown as plain text, answered with the real value.
    const choice = await vscode.window.showQuickPick(
      items.map((value) => ({ label: safeText(value, 200), value })),
      { title, ...(placeHolder ? { placeHolder } : {}), ignoreFocusOut: true },
    );
    if (choice === undefined) throw new McpSecureError('cancelled', Strings.cancelled);
    const picked = choice.value;
    if (picked === '(omit)') return undefined;
    return prop.type === 'boolean' ? picked === 'true' : picked;
  }
  const text = await vscode.window.showInputBox({
    title,
    ...(placeHolder ? { prompt: placeHolder } : {}),
    ignoreFocusOut: true,
    ...(preset !== undefined && typeof preset !== 'object' ? { value: String(preset) } : {}),
    validateInput: (v) =>
      (v === '' && !prop.required) || parsePrimitive(prop.type, v) !== undefined
        ? undefined
        : Strings.argInvalid(prop.type),
  });
  if (text === undefined) throw new McpSecureError('cancelled', Strings.cancelled);
  return text === '' && !prop.required ? undefined : parsePrimitive(prop.type, text);
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
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new McpSecureError('invalid_tool', Strings.argsNotJson);
  return parsed as Record<string, unknown>;
}
