import { strict as assert } from 'node:assert';
import type { ToolInfo } from '../../../src/core/mcp/types';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { scopePreflight, type ScopePreflightDeps } from '../../../src/vscode/gateway/scopePreflight';

describe('gateway scope preflight (step-up before the server)', () => {
  const tickets = parseServerDefinition({
    id: 'tickets',
    name: 'Tickets',
    transport: 'http',
    url: 'https://mcp.example.com/mcp',
  });
  const notes = parseServerDefinition({ id: 'notes', transport: 'stdio', command: '/usr/bin/node' });
  const tool: ToolInfo = { name: 'close_ticket', inputSchema: { type: 'object' } };

  function deps(over: { granted?: string[] | undefined; required?: string[]; consent?: boolean } = {}) {
    const log: string[] = [];
    const d: ScopePreflightDeps = {
      registry: {
        get: (id: string) => [tickets, notes].find((x) => x.id === id),
      } as unknown as ScopePreflightDeps['registry'],
      scopes: { requiredScopes: () => over.required ?? ['tickets:write'] } as unknown as ScopePreflightDeps['scopes'],
      grant: async () =>
        'granted' in over && over.granted === undefined
          ? undefined
          : ({ grantedScopes: over.granted ?? ['tickets:read'] } as never),
      consent: async (r) => {
        log.push(`consent ${r.granted.join(',')} -> ${r.requested.join(',')}`);
        return over.consent ?? true;
      },
      signIn: async (def, scopes) => log.push(`signIn ${def.id} ${scopes.join(',')}`),
    };
    return { d, log };
  }

  it('a missing known scope: consent, then sign-in with the union, then the call may go', async () => {
    const { d, log } = deps();
    assert.equal(await scopePreflight(d)('tickets', tool), undefined);
    assert.deepEqual(log, [
      'consent tickets:read -> tickets:read,tickets:write',
      'signIn tickets tickets:read,tickets:write',
    ]);
  });

  it('a refused consent denies the call locally, without signing in', async () => {
    const { d, log } = deps({ consent: false });
    const refusal = await scopePreflight(d)('tickets', tool);
    assert.equal(refusal?.code, 'policy_denied');
    assert.match(refusal?.message ?? '', /needs tickets:write, which is not granted/);
    assert.deepEqual(log, ['consent tickets:read -> tickets:read,tickets:write']);
  });

  it('asks nothing when the scope is granted, unknown, the user is not signed in, or the server is stdio', async () => {
    for (const over of [{ granted: ['tickets:read', 'tickets:write'] }, { required: [] }, { granted: undefined }]) {
      const { d, log } = deps(over);
      assert.equal(await scopePreflight(d)('tickets', tool), undefined);
      assert.deepEqual(log, [], JSON.stringify(over));
    }
    const { d, log } = deps();
    assert.equal(await scopePreflight(d)('notes', tool), undefined);
    assert.deepEqual(log, []);
  });
});
