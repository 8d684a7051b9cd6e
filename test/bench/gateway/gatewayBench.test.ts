/**
 * `npm run bench:gateway` (not a test: it measures). Inside code-server, with one upstream MCP server
 * (test/bench/gateway/echoUpstream.mjs, a separate process), it compares VS Code's MCP client talking
 * to the upstream directly (a user mcp.json HTTP definition with a static header) with the same client
 * going through the MCP Secure gateway (stdio bridge → socket → extension host → upstream):
 * - `lm.invokeTool` latency, interleaved blocks in one run (order rotates every round): p50/p90/p99 and the added p50;
 * - time from `workbench.mcp.startServer` to live tools, alternating, for both.
 * The results go to out/bench-gateway.txt, which the npm script prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { activatedApi, setServers, waitFor } from '../../integration/suite/helpers';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const STARTS = Number(process.env.BENCH_STARTS ?? 5);
const GATEWAY_ID = 'mcp-secure.mcp-secure-connections/Bench';
const DIRECT_IDS = ['mcp.config.usrlocal.bench-direct', 'mcp.config.usrremote.bench-direct'];
const SHAPES = { gateway: 'mcp_bench_echo', direct: 'mcp_bench-direct_echo' } as const;
type Shape = keyof typeof SHAPES;
const OUT = path.resolve(__dirname, '..', '..', 'bench-gateway.txt');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (n: number): string => `${n.toFixed(2)} ms`;

describe('bench: gateway vs direct', function () {
  this.timeout(600_000);
  let upstream: ChildProcess;
  let directId = '';
  const lines: string[] = [];

  before(async () => {
    upstream = spawn(
      process.execPath,
      [path.resolve(__dirname, '..', '..', '..', 'test', 'bench', 'gateway', 'echoUpstream.mjs')],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const port = await new Promise<number>((resolve, reject) => {
      upstream.stdout?.on('data', (d: Buffer) => {
        const m = /PORT (\d+)/.exec(d.toString('utf8'));
        if (m) resolve(Number(m[1]));
      });
      upstream.on('exit', (code) => reject(new Error(`upstream exited (${code})`)));
    });
    const url = `http://127.0.0.1:${port}/mcp`;
    // The user profile's mcp.json of this code-server (its user-data folder is <scratch>/u).
    const root = path.dirname(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '');
    mkdirSync(path.join(root, 'u', 'User'), { recursive: true });
    writeFileSync(
      path.join(root, 'u', 'User', 'mcp.json'),
      JSON.stringify({ servers: { 'bench-direct': { type: 'http', url, headers: { 'x-bench': 'direct' } } } }),
    );
    await activatedApi();
    await setServers([{ id: 'bench', name: 'Bench', transport: 'http', url }]);
    directId = await waitFor(
      async () => {
        for (const id of DIRECT_IDS) {
          await vscode.commands
            .executeCommand('workbench.mcp.startServer', id, { waitForLiveTools: true, autoTrustChanges: true })
            .then(undefined, () => undefined);
          if (vscode.lm.tools.some((t) => t.name === SHAPES.direct)) return id;
        }
        return undefined;
      },
      'the direct server live',
      60_000,
    );
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('workbench.mcp.startServer', GATEWAY_ID, { waitForLiveTools: true });
        return vscode.lm.tools.some((t) => t.name === SHAPES.gateway);
      },
      'the gateway server live',
      60_000,
    );
  });

  after(async () => {
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${lines.join('\n')}\n`);
    upstream?.stdin?.end();
    await setServers(undefined);
  });

  async function call(shape: Shape, i: number): Promise<number> {
    const text = `${shape}-${i}`;
    const t0 = performance.now();
    const result = await vscode.lm.invokeTool(SHAPES[shape], { input: { text }, toolInvocationToken: undefined });
    const dt = performance.now() - t0;
    const got = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    if (got !== text) throw new Error(`${shape}: wrong answer ${JSON.stringify(got).slice(0, 80)}`);
    return dt;
  }

  it('lm.invokeTool latency, interleaved', async () => {
    const order: Shape[] = ['gateway', 'direct'];
    for (let i = 0; i < WARMUP; i++) for (const s of order) await call(s, i);
    const times: Record<Shape, number[]> = { gateway: [], direct: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const round = i % 2 === 0 ? order : [...order].reverse();
      for (const s of round) times[s].push(await call(s, i));
    }
    lines.push(
      `lm.invokeTool latency (${ROUNDS} interleaved rounds after ${WARMUP} warm-up, upstream: separate process on 127.0.0.1)`,
    );
    for (const s of ['direct', 'gateway'] as const) {
      lines.push(
        `  ${s.padEnd(8)} p50 ${ms(pct(times[s], 50))}  p90 ${ms(pct(times[s], 90))}  p99 ${ms(pct(times[s], 99))}`,
      );
    }
    const added = pct(times.gateway, 50) - pct(times.direct, 50);
    lines.push(`  added p50 through the gateway: ${added >= 0 ? '+' : ''}${ms(added)} (target ≤ +1.30 ms)`);
  });

  it("for reference: the extension's own call path (palette; no VS Code MCP client, no bridge)", async () => {
    const api = await activatedApi();
    const t: number[] = [];
    for (let i = 0; i < WARMUP + ROUNDS; i++) {
      const t0 = performance.now();
      await api.callTool('bench', 'echo', { text: `p-${i}` });
      if (i >= WARMUP) t.push(performance.now() - t0);
    }
    lines.push(`  (reference) extension call path alone: p50 ${ms(pct(t, 50))}  p90 ${ms(pct(t, 90))}`);
    const r: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await api.scratchSecrets.get(`mcpSecure.test/bench-none-${i}`); // a new key each time: the IPC round trip the read cache saves
      r.push(performance.now() - t0);
    }
    lines.push(`  (reference) one SecretStorage read: p50 ${ms(pct(r, 50))}`);
  });

  it('startServer to live tools, alternating', async () => {
    const times: Record<Shape, number[]> = { gateway: [], direct: [] };
    const ids: Record<Shape, string> = { gateway: GATEWAY_ID, direct: directId };
    for (let i = 0; i < STARTS; i++) {
      for (const s of (i % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway']) as Shape[]) {
        await vscode.commands.executeCommand('workbench.mcp.stopServer', ids[s]);
        const t0 = performance.now();
        await vscode.commands.executeCommand('workbench.mcp.startServer', ids[s], {
          waitForLiveTools: true,
          autoTrustChanges: true,
        });
        times[s].push(performance.now() - t0);
        await call(s, i); // really live
      }
    }
    lines.push(
      `startServer → live tools (${STARTS} alternating starts; the gateway's upstream connection stays open in the extension)`,
    );
    for (const s of ['direct', 'gateway'] as const)
      lines.push(
        `  ${s.padEnd(8)} p50 ${ms(pct(times[s], 50))}  min ${ms(Math.min(...times[s]))}  max ${ms(Math.max(...times[s]))}`,
      );
  });
});
