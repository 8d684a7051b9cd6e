import { strict as assert } from 'node:assert';
import {
  argumentsFor,
  contextSecrets,
  oauthFromContext,
  planFor,
  readConformanceEnv,
} from '../../../src/cli/conformanceDriver';

describe('cli conformance driver', () => {
  it('derives tool arguments from the schema: defaults, enums, typed samples for required properties only', () => {
    const args = argumentsFor({
      type: 'object',
      properties: {
        a: { type: 'number' },
        b: { type: 'integer' },
        mode: { enum: ['x', 'y'] },
        on: { type: 'boolean', default: false },
        note: { type: 'string' },
        tags: { type: 'array' },
      },
      required: ['a', 'b', 'mode', 'tags'],
    });
    assert.deepEqual(args, { a: 1, b: 1, mode: 'x', on: false, tags: [] });
  });

  it('maps suite contexts to OAuth options (client credentials, JWT bearer, enterprise, pre-registration)', () => {
    assert.deepEqual(oauthFromContext({ name: 'auth/client-credentials-basic', client_id: 'c', client_secret: 's' }), {
      clientId: 'c',
      clientSecret: 's',
      grant: 'client_credentials',
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    const jwt = oauthFromContext({
      name: 'auth/client-credentials-jwt',
      client_id: 'c',
      private_key_pem: '-----BEGIN PRIVATE KEY-----x',
      signing_algorithm: 'ES256',
    });
    assert.equal(jwt.grant, 'client_credentials');
    assert.equal(jwt.tokenEndpointAuthMethod, 'private_key_jwt');
    assert.deepEqual(
      oauthFromContext({ name: 'auth/wif-jwt-bearer', client_id: 'w', valid_jwt: 'eyJ.a.b', expired_jwt: 'eyJ.c.d' }),
      { clientId: 'w', grant: 'jwt_bearer', assertion: 'eyJ.a.b' },
    );
    const ent = oauthFromContext({
      name: 'auth/enterprise-managed-authorization',
      client_id: 'c',
      client_secret: 's',
      idp_client_id: 'i',
      idp_id_token: 't',
      idp_issuer: 'http://idp',
      idp_token_endpoint: 'http://idp/token',
    });
    assert.equal(ent.grant, 'token_exchange');
    assert.deepEqual(ent.enterprise, {
      tokenEndpoint: 'http://idp/token',
      issuer: 'http://idp',
      clientId: 'i',
      idToken: 't',
    });
    assert.deepEqual(oauthFromContext({ name: 'auth/pre-registration', client_id: 'p', client_secret: 'q' }), {
      clientId: 'p',
      clientSecret: 'q',
    });
    assert.deepEqual(contextSecrets({ client_secret: 's1', valid_jwt: 'j1', client_id: 'public' }), ['s1', 'j1']);
  });

  it('plans actions per scenario (data, not code paths)', () => {
    assert.deepEqual(planFor('auth/scope-step-up'), { calls: { kind: 'all' }, skills: 'none' });
    assert.equal(planFor('http-custom-headers').calls.kind, 'context');
    assert.equal(planFor('json-schema-2020-12-preservation').calls.kind, 'schema-echo');
    assert.equal(planFor('json-schema-ref-no-deref').calls.kind, 'none');
    assert.equal(planFor('sep-2640-client-no-prefetch').skills, 'list');
    assert.equal(planFor('sep-2640-client-verify-size').skills, 'load');
  });

  it('reads the runner environment and rejects a malformed context', () => {
    const env = readConformanceEnv({
      MCP_CONFORMANCE_SCENARIO: 'tools_call',
      MCP_CONFORMANCE_PROTOCOL_VERSION: '2026-07-28',
      MCP_CONFORMANCE_CONTEXT: '{"a":1}',
    });
    assert.deepEqual(env, { scenario: 'tools_call', protocol: '2026-07-28', context: { a: 1 } });
    assert.equal(readConformanceEnv({}).protocol, 'auto');
    assert.throws(() => readConformanceEnv({ MCP_CONFORMANCE_CONTEXT: '{' }));
  });
});
