import assert from 'node:assert/strict';
import { McpSecureError, isMcpSecureError } from '../../../src/core/errors';
import { parseCliArgs } from '../../../src/cli/args';
import { parseCollectorUrl } from '../../../src/core/audit/otlpForwarder';
import { parseServerDefinition } from '../../../src/core/mcp/serverDefinition';
import { Scopes, selectScopes } from '../../../src/core/oauth/scopes';
import {
  assertSafeUrl,
  isClientMetadataDocumentUrl,
  isLocalTarget,
  isLoopbackHost,
  isWithinResource,
  parseEndpointUrl,
  urlPolicyFor,
} from '../../../src/core/common/urlPolicy';
import { challengeParams, parseWwwAuthenticate } from '../../../src/core/oauth/wwwAuthenticate';
import { asMetadataCandidateUrls, validateAuthServerMetadata } from '../../../src/core/oauth/authServerMetadata';
import { assertResourceMatches, prmCandidateUrls } from '../../../src/core/oauth/protectedResourceMetadata';
import { assertPkceS256, checkAuthorizationResponse } from '../../../src/core/oauth/authorizationCodeFlow';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof McpSecureError ? err.code : String(err);
  }
};

describe('oauth URL policy, challenges, scopes and metadata rules', () => {
  it('allows https and loopback http only; refuses other schemes with typed errors', () => {
    const results = Object.fromEntries(
      [
        'https://as.example/authorize',
        'http://127.0.0.1:3000/x',
        'http://localhost/x',
        'http://[::1]:8/x',
        'http://as.example/authorize',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'data:text/html,hi',
        'vscode://evil',
        'not a url',
      ].map((u) => [u, codeOf(() => assertSafeUrl(u, 'test URL'))]),
    );
    assert.deepEqual(results, {
      'https://as.example/authorize': 'ok',
      'http://127.0.0.1:3000/x': 'ok',
      'http://localhost/x': 'ok',
      'http://[::1]:8/x': 'ok',
      'http://as.example/authorize': 'insecure_url',
      'javascript:alert(1)': 'insecure_url',
      'file:///etc/passwd': 'insecure_url',
      'data:text/html,hi': 'insecure_url',
      'vscode://evil': 'insecure_url',
      'not a url': 'invalid_url',
    });
    assert.ok(!codeOf(() => assertSafeUrl('javascript:alert(document.cookie)', 'x')).includes('cookie'));
  });

  it('refuses loopback endpoints named by a remote server, allows them for a loopback server (SSRF)', () => {
    const remote = urlPolicyFor('https://mcp.example.test/mcp');
    const local = urlPolicyFor('http://127.0.0.1:8080/mcp');
    const targets = [
      'http://127.0.0.1:5432/admin',
      'http://localhost:2375/containers',
      'https://127.0.0.1/x',
      'http://[::1]:9/x',
      'http://2130706433:80/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://0.0.0.0:6379/',
      'http://api.localhost/x',
      'https://as.example.test/token',
    ];
    assert.deepEqual(
      Object.fromEntries(
        targets.map((t) => [
          t,
          [codeOf(() => remote.check(t, 'token endpoint')), codeOf(() => local.check(t, 'token endpoint'))],
        ]),
      ),
      {
        'http://127.0.0.1:5432/admin': ['insecure_url', 'ok'],
        'http://localhost:2375/containers': ['insecure_url', 'ok'],
        'https://127.0.0.1/x': ['insecure_url', 'ok'],
        'http://[::1]:9/x': ['insecure_url', 'ok'],
        'http://2130706433:80/x': ['insecure_url', 'ok'],
        'http://[::ffff:127.0.0.1]/x': ['insecure_url', 'insecure_url'],
        'http://0.0.0.0:6379/': ['insecure_url', 'insecure_url'],
        'http://api.localhost/x': ['insecure_url', 'insecure_url'],
        'https://as.example.test/token': ['ok', 'ok'],
      },
    );
    const base = { issuer: 'https://as.example.test', authorization_endpoint: 'https://as.example.test/a' };
    assert.deepEqual(
      ['token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'jwks_uri'].map((k) =>
        codeOf(() =>
          validateAuthServerMetadata({ ...base, [k]: 'http://127.0.0.1:9000/x' }, 'https://as.example.test', remote),
        ),
      ),
      ['insecure_url', 'insecure_url', 'insecure_url', 'insecure_url'],
    );
  });

  it('scopes a token to its resource origin and path', () => {
    const r = new URL('https://mcp.example/mcp');
    const within = [
      'https://mcp.example/mcp',
      'https://mcp.example/mcp/sse',
      'https://mcp.example/mcpx',
      'https://other.example/mcp',
      'http://mcp.example/mcp',
    ].map((u) => isWithinResource(new URL(u), r));
    assert.deepEqual(within, [true, true, false, false, false]);
    assert.equal(isWithinResource(new URL('https://mcp.example/anything'), new URL('https://mcp.example')), true);
  });

  it('parses WWW-Authenticate challenges (RFC 9110 §11.6.1, RFC 9728 §5.1)', () => {
    const h =
      'Bearer realm="mcp", error="insufficient_scope", scope="a b", resource_metadata="https://x/.well-known/oauth-protected-resource/mcp", DPoP algs="ES256"';
    const parsed = parseWwwAuthenticate(h);
    assert.deepEqual(
      parsed.map((c) => c.scheme),
      ['bearer', 'dpop'],
    );
    assert.deepEqual(challengeParams(new Headers({ 'www-authenticate': h })), {
      realm: 'mcp',
      error: 'insufficient_scope',
      scope: 'a b',
      resource_metadata: 'https://x/.well-known/oauth-protected-resource/mcp',
    });
    assert.deepEqual(parseWwwAuthenticate('Bearer'), [{ scheme: 'bearer', params: {} }]);
  });

  it('normalises scopes and selects them per the MCP strategy', () => {
    assert.equal(Scopes.of('b a  b').toString(), 'a b');
    assert.equal(Scopes.of([]).display(), '(none)');
    const sel = (i: Parameters<typeof selectScopes>[0]): string => selectScopes(i).toString();
    assert.deepEqual(
      [
        sel({ challengeScope: 'x', prmScopesSupported: ['y'], asScopesSupported: ['z'] }),
        sel({ prmScopesSupported: ['y', 'w'], asScopesSupported: ['z'] }),
        sel({ asScopesSupported: ['z', 'offline_access'] }),
        sel({ prmScopesSupported: ['y'], asScopesSupported: ['offline_access'] }),
        sel({ prmScopesSupported: ['y', 'offline_access'] }),
        sel({ configured: ['c'], challengeScope: 'x' }),
      ],
      ['x', 'w y', '', 'offline_access y', 'y', 'c'],
    );
  });

  it('orders metadata URLs per MCP (path insertion, OAuth before OIDC) and PRM path-aware first', () => {
    assert.deepEqual(asMetadataCandidateUrls(new URL('https://as.example/tenant1')).map(String), [
      'https://as.example/.well-known/oauth-authorization-server/tenant1',
      'https://as.example/.well-known/openid-configuration/tenant1',
      'https://as.example/tenant1/.well-known/openid-configuration',
    ]);
    assert.deepEqual(asMetadataCandidateUrls(new URL('https://as.example')).map(String), [
      'https://as.example/.well-known/oauth-authorization-server',
      'https://as.example/.well-known/openid-configuration',
    ]);
    assert.deepEqual(prmCandidateUrls(new URL('https://mcp.example/api/mcp')).map(String), [
      'https://mcp.example/.well-known/oauth-protected-resource/api/mcp',
      'https://mcp.example/.well-known/oauth-protected-resource',
    ]);
  });

  it('validates metadata: exact issuer, endpoint schemes, member types', () => {
    const base = {
      issuer: 'https://as.example',
      authorization_endpoint: 'https://as.example/a',
      token_endpoint: 'https://as.example/t',
    };
    const policy = urlPolicyFor('https://mcp.example/mcp');
    assert.deepEqual(
      [
        codeOf(() => validateAuthServerMetadata(base, 'https://as.example', policy)),
        codeOf(() => validateAuthServerMetadata(base, 'https://as.example/', policy)),
        codeOf(() =>
          validateAuthServerMetadata(
            { ...base, authorization_endpoint: 'javascript:alert(1)' },
            'https://as.example',
            policy,
          ),
        ),
        codeOf(() =>
          validateAuthServerMetadata({ ...base, token_endpoint: 'http://as.example/t' }, 'https://as.example', policy),
        ),
        codeOf(() => validateAuthServerMetadata({ ...base, scopes_supported: 'a b' }, 'https://as.example', policy)),
        codeOf(() => validateAuthServerMetadata({ authorization_endpoint: 'https://x' }, 'https://as.example', policy)),
      ],
      ['ok', 'issuer_mismatch', 'insecure_url', 'insecure_url', 'invalid_metadata', 'invalid_metadata'],
    );
  });

  it('matches the PRM resource against the server URL', () => {
    const s = new URL('https://mcp.example/api/mcp');
    assert.deepEqual(
      [
        'https://mcp.example/api/mcp',
        'https://mcp.example',
        'https://mcp.example/api',
        'https://mcp.example/other',
        'https://evil.example/api/mcp',
        'https://mcp.example/ap',
      ].map((r) => codeOf(() => assertResourceMatches(r, s))),
      ['ok', 'ok', 'ok', 'resource_mismatch', 'resource_mismatch', 'resource_mismatch'],
    );
  });

  it('checks PKCE support and the authorization response (state, iss before error)', () => {
    const md = { issuer: 'https://as.example', authorization_response_iss_parameter_supported: true };
    assert.deepEqual(
      [
        codeOf(() => assertPkceS256({ issuer: 'x' })),
        codeOf(() => assertPkceS256({ issuer: 'x' }, 'assume-s256')),
        codeOf(() => assertPkceS256({ issuer: 'x', code_challenge_methods_supported: ['plain'] })),
      ],
      ['pkce_unsupported', 'ok', 'pkce_unsupported'],
    );
    const cb = (q: string): URL => new URL(`http://127.0.0.1:1/callback?${q}`);
    assert.deepEqual(
      [
        codeOf(() => checkAuthorizationResponse(cb('code=c&state=s&iss=https%3A%2F%2Fas.example'), md, 's')),
        codeOf(() => checkAuthorizationResponse(cb('code=c&state=x&iss=https%3A%2F%2Fas.example'), md, 's')),
        codeOf(() => checkAuthorizationResponse(cb('code=c&state=s'), md, 's')),
        codeOf(() => checkAuthorizationResponse(cb('error=access_denied&state=s&iss=https%3A%2F%2Fevil'), md, 's')),
        codeOf(() =>
          checkAuthorizationResponse(cb('error=access_denied&state=s&iss=https%3A%2F%2Fas.example'), md, 's'),
        ),
        codeOf(() => checkAuthorizationResponse(cb('code=c&state=s'), { issuer: 'https://as.example' }, 's')),
      ],
      ['ok', 'state_mismatch', 'iss_mismatch', 'iss_mismatch', 'authorization_denied', 'ok'],
    );
  });
});

/** Issue 10: one loopback check and one endpoint validator, whichever layer asks. */
describe('one URL policy for every layer', () => {
  const codeOfAny = (fn: () => unknown): string => {
    try {
      fn();
      return 'ok';
    } catch (e) {
      if (!isMcpSecureError(e)) return `untyped ${String(e)}`;
      // A definition names its own field but carries the policy's error as its cause.
      return isMcpSecureError(e.cause) ? e.cause.code : e.code;
    }
  };

  it('treats ::1 with and without brackets, and any letter case, as loopback', () => {
    assert.deepEqual(
      ['::1', '[::1]', 'LOCALHOST', '127.8.9.10', '[::2]', 'localhost.example', '128.0.0.1'].map(isLoopbackHost),
      [true, true, true, true, false, false, false],
    );
    assert.equal(isLocalTarget('::1'), true);
    assert.equal(isLocalTarget('[::ffff:7f00:1]'), true);
  });

  it('judges a Client ID Metadata Document URL the same in the CLI and in registration', () => {
    for (const url of [
      'https://app.example/client.json',
      'https://app.example/',
      'http://app.example/c',
      'https://app.example/c#x',
    ]) {
      const cli = codeOfAny(() => parseCliArgs(['tools', 'https://mcp.example/mcp', '--client-metadata-url', url]));
      assert.equal(cli === 'ok', isClientMetadataDocumentUrl(url), url);
    }
    assert.equal(isClientMetadataDocumentUrl('https://app.example/c#x'), false);
  });

  it('gives the same error code for the same mistake in a definition, the CLI and the OTLP collector', () => {
    const cases: Record<string, string> = {
      'https://mcp.example/mcp': 'ok',
      'http://127.0.0.1:3000/mcp': 'ok',
      'http://[::1]:3000/mcp': 'ok',
      'http://mcp.example/mcp': 'insecure_url',
      'ftp://mcp.example/mcp': 'insecure_url',
      'https://user:pw@mcp.example/mcp': 'insecure_url',
      'https://mcp.example/mcp#frag': 'invalid_url',
      'not a url': 'invalid_url',
    };
    for (const [url, expected] of Object.entries(cases)) {
      const codes = [
        codeOfAny(() => parseServerDefinition({ id: 'x', name: 'X', transport: 'http', url })),
        codeOfAny(() => parseCliArgs(['tools', url])),
        codeOfAny(() => parseCollectorUrl(url)),
        codeOfAny(() => parseEndpointUrl(url, 'test URL')),
      ];
      assert.deepEqual(codes, [expected, expected, expected, expected], url);
    }
  });
});
