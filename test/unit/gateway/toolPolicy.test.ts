import { strict as assert } from 'node:assert';
import { checkToolPolicy, globMatch, parseToolPolicy } from '../../../src/core/gateway/toolPolicy';

describe('gateway tool policy (allow/deny globs per server)', () => {
  it('globs match whole names with * and ?, everything else literally', () => {
    assert.ok(globMatch('list_*', 'list_tickets'));
    assert.ok(globMatch('*', 'anything'));
    assert.ok(globMatch('get_?', 'get_a'));
    assert.ok(!globMatch('get_?', 'get_ab'));
    assert.ok(!globMatch('list_*', 'xlist_tickets'));
    assert.ok(!globMatch('a.c', 'abc'), 'a dot is a dot');
    assert.ok(globMatch('a(b)+', 'a(b)+'));
    assert.ok(!globMatch('List_*', 'list_tickets'), 'case-sensitive');
  });

  it('deny wins over allow; a non-empty allow list admits only what it matches', () => {
    const rules = { allow: ['list_*', 'close_*'], deny: ['close_*'] };
    assert.equal(checkToolPolicy(rules, 'Tickets', 'list_tickets'), undefined);
    assert.match(
      checkToolPolicy(rules, 'Tickets', 'close_ticket')?.message ?? '',
      /denied for chat by the MCP Secure tool policy \(deny: "close_\*"\)/,
    );
    assert.match(checkToolPolicy(rules, 'Tickets', 'whoami')?.message ?? '', /not in the MCP Secure allow list/);
    assert.equal(checkToolPolicy(rules, 'Tickets', 'whoami')?.code, 'policy_denied');
    assert.equal(checkToolPolicy({ allow: [] }, 'T', 'whoami'), undefined, 'an empty allow list restricts nothing');
    assert.equal(checkToolPolicy(undefined, 'T', 'whoami'), undefined);
  });

  it('parses the setting; invalid rules deny everything for that server and are reported without values', () => {
    const { policy, problems } = parseToolPolicy({
      tickets: { deny: ['close_*'] },
      notes: { allow: 'echo' },
      other: { alow: ['x'] },
    });
    assert.deepEqual(policy.get('tickets'), { deny: ['close_*'] });
    assert.deepEqual(policy.get('notes'), { deny: ['*'] });
    assert.deepEqual(policy.get('other'), { deny: ['*'] });
    assert.deepEqual(problems, [
      'notes: "allow" must be a list of non-empty tool-name globs',
      'other: "alow" is not a known field',
    ]);
    assert.deepEqual(parseToolPolicy(undefined), { policy: new Map(), problems: [] });
    assert.equal(parseToolPolicy([]).problems.length, 1);
  });
});
