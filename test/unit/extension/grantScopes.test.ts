import { strict as assert } from 'node:assert';
import { scopeStatus } from '../../../src/vscode/tree/grantScopes';

describe('scopeStatus (Servers tree: granted vs. requested scopes)', () => {
  const requestedScopes = ['tickets:read', 'offline_access'];

  it('offline_access is granted when the grant holds a refresh token, though the access token never carries it', () => {
    const s = scopeStatus({ grantedScopes: ['tickets:read'], requestedScopes, hasRefreshToken: true });
    assert.deepEqual(s, { granted: ['tickets:read', 'offline_access'], missing: [] });
  });

  it('offline_access is not granted without a refresh token, even if a token lists it', () => {
    assert.deepEqual(scopeStatus({ grantedScopes: ['tickets:read'], requestedScopes, hasRefreshToken: false }), {
      granted: ['tickets:read'],
      missing: ['offline_access'],
    });
    assert.deepEqual(scopeStatus({ grantedScopes: ['tickets:read', 'offline_access'], requestedScopes }), {
      granted: ['tickets:read'],
      missing: ['offline_access'],
    });
  });

  it('a refresh token does not invent offline_access when it was not requested; other scopes are compared as they are', () => {
    const s = scopeStatus({
      grantedScopes: ['tickets:read'],
      requestedScopes: ['tickets:read', 'tickets:write'],
      hasRefreshToken: true,
    });
    assert.deepEqual(s, { granted: ['tickets:read'], missing: ['tickets:write'] });
  });
});
