import { strict as assert } from 'node:assert';
import { isMcpSecureError } from '../../../src/core/errors';
import { UsageError, parseCliArgs } from '../../../src/cli/args';

const usage = (e: unknown): boolean => e instanceof UsageError;

describe('cli argument parsing', () => {
  it('parses an HTTP call with JSON arguments and options', () => {
    const p = parseCliArgs([
      'call',
      'https://mcp.example/mcp',
      'close_ticket',
      '--args',
      '{"id":7}',
      '--json',
      '--scope',
      'tickets:write',
      '--store=file:/tmp/s',
    ]);
    assert.equal(p.command, 'call');
    assert.equal(p.tool, 'close_ticket');
    assert.deepEqual(p.options.toolArgs, { id: 7 });
    assert.equal(p.options.json, true);
    assert.deepEqual(p.options.scopes, ['tickets:write']);
    assert.deepEqual(p.options.store, { kind: 'file', path: '/tmp/s' });
    assert.equal(p.target?.kind, 'http');
  });

  it('parses stdio targets after "--" without interpreting them', () => {
    const p = parseCliArgs([
      'call',
      'echo',
      '--stdio',
      '--args',
      '{}',
      '--',
      'node',
      'server.js',
      '--flag',
      '$(rm -rf /)',
    ]);
    assert.deepEqual(p.target, { kind: 'stdio', command: 'node', args: ['server.js', '--flag', '$(rm -rf /)'] });
    assert.equal(p.tool, 'echo');
  });

  it('answers help for no command, -h and help', () => {
    assert.equal(parseCliArgs([]).command, 'help');
    assert.equal(parseCliArgs(['-h']).command, 'help');
    assert.equal(parseCliArgs(['tools', '--help']).command, 'help');
  });

  it('rejects usage mistakes with UsageError', () => {
    assert.throws(() => parseCliArgs(['frobnicate']), usage);
    assert.throws(() => parseCliArgs(['tools']), usage);
    assert.throws(() => parseCliArgs(['tools', 'https://a.example', 'extra']), usage);
    assert.throws(() => parseCliArgs(['call', 'https://a.example']), usage);
    assert.throws(() => parseCliArgs(['call', 'https://a.example', 't', '--args', '{not json']), usage);
    assert.throws(() => parseCliArgs(['call', 'https://a.example', 't', '--args', '[1,2]']), usage);
    assert.throws(() => parseCliArgs(['tools', 'https://a.example', '--bogus']), usage);
    assert.throws(() => parseCliArgs(['tools', 'https://a.example', '--store', '/tmp/plain.json']), usage);
    assert.throws(() => parseCliArgs(['tools', 'https://a.example', '--timeout', 'soon']), usage);
    assert.throws(() => parseCliArgs(['login', '--stdio', '--', 'node', 's.js']), usage);
    assert.throws(() => parseCliArgs(['tools', '--stdio']), usage);
    assert.throws(() => parseCliArgs(['tools', 'https://a.example', '--args', '{}']), usage);
  });

  it('refuses unsafe server URLs as insecure_url and non-URLs as invalid_url (not a usage error)', () => {
    assert.throws(
      () => parseCliArgs(['tools', 'not a url']),
      (e: unknown) => isMcpSecureError(e, 'invalid_url'),
    );
    const insecure = (e: unknown): boolean => isMcpSecureError(e, 'insecure_url');
    assert.throws(() => parseCliArgs(['tools', 'http://mcp.example/mcp']), insecure);
    assert.throws(() => parseCliArgs(['tools', 'file:///etc/passwd']), insecure);
    assert.throws(() => parseCliArgs(['tools', 'javascript:alert(1)']), insecure);
    assert.throws(() => parseCliArgs(['tools', 'https://user:pw@mcp.example/']), insecure);
    assert.equal(parseCliArgs(['tools', 'http://127.0.0.1:3000/mcp']).target?.kind, 'http');
    assert.equal(parseCliArgs(['tools', 'http://localhost:3000/mcp']).target?.kind, 'http');
    assert.equal(parseCliArgs(['tools', 'http://[::1]:3000/mcp']).target?.kind, 'http');
  });
});
