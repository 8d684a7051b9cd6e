import * as path from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { bridgeLaunch } from '../../../../src/core/gateway/bridgeLaunch';
import type { ToolCallContext, ToolCallObserver, ToolCallOutcome } from '../../../../src/core/toolCallObserver';

export const REPO = path.resolve(__dirname, '../../../..');
const BRIDGE = path.join(REPO, 'src', 'bridge', 'main.ts');

/** Records every tool call the gateway's proxy sessions report, in order. */
export class RecordingAudit implements ToolCallObserver {
  readonly records: { context: ToolCallContext; outcome: ToolCallOutcome }[] = [];
  onToolCallEnd(context: ToolCallContext, outcome: ToolCallOutcome): void {
    this.records.push({ context, outcome });
  }
}

/**
 * A stdio transport that runs the real bridge (src/bridge/main.ts, through tsx) as VS Code would launch
 * it for `serverId`, pointed at the listener at `endpoint`.
 */
export function bridgeTransport(options: {
  endpoint: string;
  secret: string;
  serverId: string;
  stderr?: 'pipe';
}): StdioClientTransport {
  const launch = bridgeLaunch({
    execPath: process.execPath,
    bridgeScript: BRIDGE,
    endpoint: options.endpoint,
    secret: options.secret,
    serverId: options.serverId,
    hostEnv: process.env,
  });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...launch.env })) if (typeof v === 'string') env[k] = v;
  return new StdioClientTransport({
    command: launch.command,
    args: ['--import', 'tsx', ...launch.args],
    env,
    cwd: REPO,
    ...(options.stderr ? { stderr: options.stderr } : {}),
  });
}

/** Polls `probe` on every event-loop turn until it holds (bounded). */
export async function waitUntil(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
