import { strict as assert } from 'node:assert';
import { identityFromGrant, identityFromStdioSecret } from '../../src/core/grantIdentity';

describe('identityFromGrant', () => {
  it('names the human, the OAuth client and the granted scopes of a grant', () => {
    const grant = {
      issuer: 'https://as.example',
      subject: 'u-1',
      displayName: 'alice',
      clientId: 'c-9',
      grantedScopes: ['a', 'b'],
      resource: 'https://mcp.example/mcp',
    };
    const identity = identityFromGrant(grant);
    assert.deepEqual(identity, {
      human: { issuer: 'https://as.example', subject: 'u-1', displayName: 'alice' },
      agent: { kind: 'oauth-client', clientId: 'c-9' },
      grantedScopes: ['a', 'b'],
      resource: 'https://mcp.example/mcp',
      issuer: 'https://as.example',
    });
    assert.notEqual(identity.grantedScopes, grant.grantedScopes, 'a copy, not the grant’s own list');
  });

  it('leaves out a subject or display name the grant lacks, and has no identity without a grant', () => {
    const identity = identityFromGrant({
      issuer: 'https://as.example',
      clientId: 'c-9',
      grantedScopes: [],
      resource: 'r',
    });
    assert.deepEqual(identity.human, { issuer: 'https://as.example' });
    assert.deepEqual(identityFromGrant(undefined), { agent: { kind: 'none' }, grantedScopes: [] });
  });
});

describe('identityFromStdioSecret', () => {
  it('names the shared secret by its fingerprint, or no agent without one; never a human or scopes', () => {
    assert.deepEqual(identityFromStdioSecret('fp-1'), {
      agent: { kind: 'shared-secret', fingerprint: 'fp-1' },
      grantedScopes: [],
    });
    assert.deepEqual(identityFromStdioSecret(undefined), { agent: { kind: 'none' }, grantedScopes: [] });
  });
});
