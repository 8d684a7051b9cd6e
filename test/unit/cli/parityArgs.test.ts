import { strict as assert } from 'node:assert';
import { UsageError, parseCliArgs } from '../../../src/cli/args';
import { oauthOptionsFrom } from '../../../src/cli/serverDefinitions';
import { browserFromEnv } from '../../../src/cli/interaction';

describe("cli flags for the extension's per-server settings", () => {
  it('maps --pkce, --resource-parameter and --grant to the engine options', () => {
    const p = parseCliArgs([
      'tools',
      'https://mcp.example.com/mcp',
      '--pkce',
      'assume-s256',
      '--resource-parameter',
      'audience',
      '--grant',
      'client_credentials',
      '--client-id',
      'ci',
    ]);
    const o = oauthOptionsFrom(p.options, {});
    assert.deepEqual(
      [o.pkce, o.resourceParameter, o.grant, o.clientId],
      ['assume-s256', 'audience', 'client_credentials', 'ci'],
    );
  });

  it('reads the JWT bearer assertion from the environment only', () => {
    const p = parseCliArgs([
      'tools',
      'https://mcp.example.com/mcp',
      '--grant',
      'jwt_bearer',
      '--assertion-env',
      'WIF_TOKEN',
    ]);
    assert.equal(oauthOptionsFrom(p.options, { WIF_TOKEN: 'eyJ.assertion' }).assertion, 'eyJ.assertion');
    assert.throws(() => oauthOptionsFrom(p.options, {}), UsageError);
    assert.throws(() => parseCliArgs(['tools', 'https://mcp.example.com/mcp', '--grant', 'jwt_bearer']), UsageError);
    assert.throws(
      () => parseCliArgs(['tools', 'https://mcp.example.com/mcp', '--grant', 'client_credentials']),
      UsageError,
    );
  });

  it('accepts --env NAME=VALUE for stdio servers only, and refuses bad values', () => {
    const p = parseCliArgs(['tools', '--env', 'A=1', '--env', 'B=x=y', '--stdio', '--', 'server']);
    assert.deepEqual(p.options.env, { A: '1', B: 'x=y' });
    assert.throws(() => parseCliArgs(['tools', 'https://mcp.example.com/mcp', '--env', 'A=1']), UsageError);
    assert.throws(() => parseCliArgs(['tools', '--env', '=1', '--stdio', '--', 'server']), UsageError);
    assert.throws(() => parseCliArgs(['tools', 'https://mcp.example.com/mcp', '--pkce', 'off']), UsageError);
    assert.throws(() => parseCliArgs(['tools', 'https://mcp.example.com/mcp', '--forget-client']), UsageError);
  });

  it('takes the first $BROWSER command, without a %s placeholder', () => {
    assert.equal(browserFromEnv({ BROWSER: 'firefox --new-window %s:chromium' }), 'firefox --new-window');
    assert.equal(browserFromEnv({ BROWSER: '' }), undefined);
    assert.equal(browserFromEnv({}), undefined);
  });
});
