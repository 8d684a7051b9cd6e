/**
 * `npm run bench:editor` (not a test: it measures; issue 9). Inside code-server's extension host, a
 * `tools/call` through the extension — ConnectionManager + OAuthEngine with the grant in the editor's
 * real SecretStorage + the audit trail writing to the real store in globalStorage (on its thread) —
 * against the raw `@modelcontextprotocol/client` v2 client in the same host, with a static Bearer
 * header, on the same OAuth-protected fixture server (its own process, JWKS-validated Bearer).
 * The raw client's token comes from its own sign-in (an engine with an in-memory store, in this test),
 * so the extension hands out nothing. Interleaved blocks of sequential calls, variants in alternating
 * order per round; the results go to out/bench-editor.txt, which the npm script prints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { OAuthEngine } from '../../../src/core/oauth/oauthEngine';
import { activatedApi, formOpener, requireFixtures, setServers } from '../../integration/suite/helpers';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BLOCK = Number(process.env.BENCH_BLOCK ?? 50);
const SERVER_ID = 'bench-editor-tickets';
const OUT = path.resolve(__dirname, '..', '..', 'bench-editor.txt');

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};
const ms = (n: number): string => `${n.toFixed(3)} ms`;
const target = (label: string, ratio: number, goal: number): string =>
  `${label.padEnd(44)} ${ratio.toFixed(3)}x  (target <= ${goal.toFixed(2)}x: ${ratio <= goal ? 'met' : 'MISSED'})`;

describe('bench: tools/call through the extension vs the raw SDK client, in the editor', function () {
  this.timeout(900_000);
  const lines: string[] = [];
  let raw: Client | undefined;
  let engine: OAuthEngine | undefined;

  after(async () => {
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${lines.join('\n')}\n`);
    await raw?.close().catch(() => undefined);
    engine?.dispose();
    await setServers(undefined);
  });

  it('tools/call p50/p99, interleaved blocks', async () => {
    const f = requireFixtures();
    const api = await activatedApi();
    await setServers([{ id: SERVER_ID, name: 'Bench Tickets', transport: 'http', url: f.httpUrl }]);
    await api.signIn(SERVER_ID, formOpener(f.user), ['tickets:read']);
    await api.connect(SERVER_ID);

    engine = new OAuthEngine({
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      redirectTimeoutMs: 60_000,
      opener: { open: formOpener(f.user) },
    });
    const server = { id: 'raw', url: f.httpUrl };
    await engine.signIn(server, { scopes: ['tickets:read'] });
    const token = await engine.storedAccessToken(server);
    if (!token) throw new Error('the raw client got no token');
    const client = new Client({ name: 'bench-raw', version: '1.0.0' });
    raw = client;
    await client.connect(
      new StreamableHTTPClientTransport(new URL(f.httpUrl), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await client.listTools();

    const variants = {
      raw: () => client.callTool({ name: 'list_tickets', arguments: {} }),
      extension: () => api.callTool(SERVER_ID, 'list_tickets', {}),
    };
    type Name = keyof typeof variants;
    const times: Record<Name, number[]> = { raw: [], extension: [] };
    const roundP50: Record<Name, number[]> = { raw: [], extension: [] };
    for (let i = 0; i < WARMUP; i++) for (const v of Object.values(variants)) await v();
    for (let r = 0; r < ROUNDS; r++) {
      const order: Name[] = r % 2 === 0 ? ['raw', 'extension'] : ['extension', 'raw'];
      for (const name of order) {
        const got: number[] = [];
        for (let i = 0; i < BLOCK; i++) {
          const t0 = performance.now();
          await variants[name]();
          got.push(performance.now() - t0);
        }
        times[name].push(...got);
        roundP50[name].push(pct(got, 50));
      }
    }
    const records = (await api.auditRecords()).filter((x) => x.what.server.id === SERVER_ID).length;
    const paired = pct(
      roundP50.extension.map((x, i) => x / (roundP50.raw[i] as number)),
      50,
    );
    lines.push(
      `tools/call in code-server's extension host: ${ROUNDS} rounds x ${BLOCK} sequential calls per variant (alternating order), after ${WARMUP} warm-up; fixture server in its own process`,
    );
    for (const name of ['raw', 'extension'] as const)
      lines.push(`  ${name.padEnd(10)} p50 ${ms(pct(times[name], 50))}  p99 ${ms(pct(times[name], 99))}`);
    lines.push(
      target('whole stack in the editor, p50 vs raw client', pct(times.extension, 50) / pct(times.raw, 50), 1.05),
    );
    lines.push(
      target('whole stack in the editor, p99 vs raw client', pct(times.extension, 99) / pct(times.raw, 99), 1.1),
    );
    lines.push(`  paired (median of per-round p50 ratios): ${paired.toFixed(3)}x`);
    lines.push(
      `  audit records of this server in the last ${records} kept by the extension (bounded list; one per call)`,
    );
  });
});
