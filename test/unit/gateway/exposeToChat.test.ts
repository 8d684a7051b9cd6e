import { strict as assert } from 'node:assert';
import { isMcpSecureError } from '../../../src/core/errors';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';

describe('server definitions: exposeToChat', () => {
  const http = { id: 't', transport: 'http', url: 'https://mcp.example.com/mcp' };
  const stdio = { id: 'n', transport: 'stdio', command: '/usr/bin/node' };

  it('defaults to offered (the field is absent), and false is kept for both transports', () => {
    assert.equal(parseServerDefinition(http).exposeToChat, undefined);
    assert.equal(parseServerDefinition({ ...http, exposeToChat: false }).exposeToChat, false);
    assert.equal(parseServerDefinition({ ...stdio, exposeToChat: false }).exposeToChat, false);
    assert.equal(parseServerDefinition({ ...stdio, exposeToChat: true }).exposeToChat, undefined);
  });

  it('refuses a value that is not a boolean', () => {
    assert.throws(
      () => parseServerDefinition({ ...http, exposeToChat: 'no' }),
      (e) => isMcpSecureError(e, 'invalid_server_definition') && /exposeToChat/.test(e.message),
    );
  });
});
