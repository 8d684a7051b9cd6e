import { ProtocolError } from '@modelcontextprotocol/client';
import { McpSecureError, isMcpSecureError } from '../core/errors';
import type { McpConnection } from '../core/mcp/mcpConnection';
import type { HttpServerDefinition, ServerDefinition } from '../core/mcp/serverDefinition';
import type { ToolCallResult, ToolInfo } from '../core/mcp/types';
import { describeSignOut } from '../core/oauth/signOutReport';
import type { ParsedCommand } from './args';
import type { GrantView } from './cliAuth';
import { ExitCode } from './exitCodes';
import type { Output } from './output';
import type { CliRuntime } from './runtime';
import { checkCommand } from './checkCommand';
import type { ProgressLine } from './progressLine';
import { boundedTerminalText } from './terminalText';

export interface CommandContext {
  readonly parsed: ParsedCommand;
  readonly definition: ServerDefinition;
  readonly runtime: CliRuntime;
  readonly output: Output;
  readonly signal: AbortSignal;
  /** Where `call` draws the server's progress (a no-op unless stderr is a terminal). */
  readonly progress?: ProgressLine;
}

function requireHttp(ctx: CommandContext): HttpServerDefinition {
  if (ctx.definition.transport !== 'http')
    throw new McpSecureError('invalid_server_definition', `${ctx.parsed.command} needs an HTTP server`);
  return ctx.definition;
}

async function connect(ctx: CommandContext): Promise<McpConnection> {
  return ctx.runtime.manager.connect(ctx.definition, { signal: ctx.signal });
}

async function listTools(ctx: CommandContext): Promise<ExitCode> {
  const connection = await connect(ctx);
  const tools = await connection.listTools(ctx.signal);
  ctx.output.result({ server: ctx.definition.id, tools }, formatTools(tools));
  return ExitCode.ok;
}

function formatTools(tools: readonly ToolInfo[]): string {
  if (tools.length === 0) return '(no tools)';
  return tools
    .map(
      (t) =>
        `${boundedTerminalText(t.name, 200)}${t.description ? `  ${boundedTerminalText(t.description, 300).split('\n')[0]}` : ''}`,
    )
    .join('\n');
}

async function callTool(ctx: CommandContext): Promise<ExitCode> {
  const connection = await connect(ctx);
  const name = ctx.parsed.tool as string;
  const onProgress = ctx.progress?.update;
  const result = await connection
    .callTool(name, ctx.parsed.options.toolArgs, {
      caller: 'cli',
      signal: ctx.signal,
      ...(onProgress ? { onProgress } : {}),
      // MCP 2025-11-25 §Utilities/Tasks: each status change of a task is a line on stderr (any progress
      // line is erased first), the result goes to stdout.
      preferTask: ctx.parsed.options.preferTask === true,
      onTaskStatus: (s) => {
        ctx.progress?.done();
        ctx.output.notice(describeTaskStatus(s));
      },
    })
    .finally(() => ctx.progress?.done())
    .catch((err: unknown) => {
      // A JSON-RPC error answer to tools/call (MCP §Tools/Error Handling "protocol errors": unknown
      // tool, invalid arguments, server error) is the tool call failing, like isError: exit 4, not 3.
      if (isMcpSecureError(err, 'protocol_error') && err.cause instanceof ProtocolError) {
        throw new McpSecureError(
          'tool_call_rejected',
          `The server refused the call to ${boundedTerminalText(name, 100)}: ${err.message}`,
          { cause: err },
        );
      }
      throw err;
    });
  ctx.output.result(result.raw, formatResult(result));
  return result.isError ? ExitCode.toolError : ExitCode.ok;
}

/** One stderr line per task status change: `task 3f2a…: working (step 2 of 5)`. */
export function describeTaskStatus(s: { taskId: string; status: string; statusMessage?: string }): string {
  const id = boundedTerminalText(s.taskId, 200);
  const short = id.length > 12 ? `${id.slice(0, 12)}…` : id;
  return `task ${short}: ${boundedTerminalText(s.status, 40)}${s.statusMessage ? ` (${boundedTerminalText(s.statusMessage, 200)})` : ''}`;
}

function formatResult(result: ToolCallResult): string {
  const parts = result.content.map(formatContent);
  if (parts.length === 0 && result.structuredContent)
    parts.push(boundedTerminalText(JSON.stringify(result.structuredContent, null, 2)));
  return `${result.isError ? 'Tool error:\n' : ''}${parts.join('\n')}`;
}

/** One content block as text (MCP 2025-11-25 §Tool Result): what it is, its MIME type, size or URI. */
function formatContent(c: ToolCallResult['content'][number]): string {
  const str = (v: unknown, max = 300): string => (typeof v === 'string' ? boundedTerminalText(v, max) : '');
  const mime = str(c.mimeType, 100) || 'unknown type';
  switch (c.type) {
    case 'text':
      return typeof c.text === 'string' ? boundedTerminalText(c.text) : '[text content]';
    case 'image':
    case 'audio':
      return `[${c.type} ${mime}, ${typeof c.data === 'string' ? Buffer.byteLength(c.data, 'base64') : 0} bytes]`;
    case 'resource_link':
      return `[link] ${str(c.title) || str(c.name) || '(unnamed)'}: ${str(c.uri, 2000)} (${mime})`;
    case 'resource': {
      const r = (typeof c.resource === 'object' && c.resource !== null ? c.resource : {}) as Record<string, unknown>;
      const head = `[resource] ${str(r.uri, 2000)} (${str(r.mimeType, 100) || 'unknown type'})`;
      return typeof r.text === 'string' ? `${head}\n${boundedTerminalText(r.text)}` : head;
    }
    default:
      return `[${boundedTerminalText(String(c.type), 40)} content]`;
  }
}

function formatGrant(g: GrantView): string {
  const lines = [
    `server:    ${g.serverId}`,
    `subject:   ${g.displayName ?? g.subject ?? '(not disclosed by the token)'}`,
    `issuer:    ${g.issuer ?? '(unknown)'}`,
    `resource:  ${g.resource ?? '(unknown)'}`,
    `client:    ${g.clientId ?? '(unknown)'}`,
    `granted:   ${g.grantedScopes.length > 0 ? g.grantedScopes.join(' ') : '(none listed)'}`,
  ];
  const missing = g.requestedScopes.filter((s) => !g.grantedScopes.includes(s));
  if (missing.length > 0) lines.push(`requested but not granted: ${missing.join(' ')}`);
  lines.push(`expires:   ${g.expiresAt ? new Date(g.expiresAt).toISOString() : '(no expiry given)'}`);
  if (g.tokenType) lines.push(`binding:   ${g.tokenType} (token values are never shown)`);
  return lines.map((l) => boundedTerminalText(l, 1000)).join('\n');
}

async function login(ctx: CommandContext): Promise<ExitCode> {
  const grant = await ctx.runtime.auth.signIn(requireHttp(ctx), ctx.signal);
  if (ctx.parsed.options.store.kind === 'memory') {
    ctx.output.notice(
      'Signed in. With --store memory the grant lives only in this process; use --store file:<path> to keep it.',
    );
  }
  ctx.output.result(grant, formatGrant(grant));
  return ExitCode.ok;
}

async function whoami(ctx: CommandContext): Promise<ExitCode> {
  const grant = await ctx.runtime.auth.getGrant(requireHttp(ctx));
  if (!grant) throw new McpSecureError('not_signed_in', 'not signed in to this server (run "mcp-secure login <url>")');
  ctx.output.result(grant, formatGrant(grant));
  return ExitCode.ok;
}

async function logout(ctx: CommandContext): Promise<ExitCode> {
  const def = requireHttp(ctx);
  if (ctx.parsed.options.forgetClient) return forgetRegistration(ctx, def);
  if (!(await ctx.runtime.auth.getGrant(def))) {
    ctx.output.result(
      { server: ctx.definition.id, signedOut: false },
      'Not signed in to this server: nothing to revoke.',
    );
    return ExitCode.ok;
  }
  const report = await ctx.runtime.auth.signOut(def);
  ctx.output.result({ server: ctx.definition.id, signedOut: true, ...report }, describeSignOut(report));
  return ExitCode.ok;
}

/** `logout --forget-client`: sign out, then drop the dynamic registration so the next sign-in registers again. */
async function forgetRegistration(ctx: CommandContext, def: HttpServerDefinition): Promise<ExitCode> {
  const issuers = await ctx.runtime.auth.forgetRegistration(def);
  const text =
    issuers.length > 0
      ? `Signed out; forgot the client registration at ${issuers.join(', ')}. The next sign-in registers a new client.`
      : 'Signed out; no stored client registration for this server (nothing to forget).';
  ctx.output.result({ server: ctx.definition.id, forgottenRegistrations: issuers }, text);
  return ExitCode.ok;
}

const handlers: Record<
  'login' | 'tools' | 'call' | 'logout' | 'whoami' | 'check',
  (ctx: CommandContext) => Promise<ExitCode>
> = {
  login,
  tools: listTools,
  call: callTool,
  logout,
  whoami,
  check: (ctx) => checkCommand(ctx, requireHttp(ctx)),
};

/** Runs one user command (everything except `conformance`, `help`, `version`). */
export function runCommand(ctx: CommandContext): Promise<ExitCode> {
  const handler = handlers[ctx.parsed.command as keyof typeof handlers];
  if (!handler) throw new McpSecureError('internal', `no handler for ${ctx.parsed.command}`);
  return handler(ctx);
}
