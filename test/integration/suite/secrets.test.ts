import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { SCRATCH_SECRET_PREFIX } from '../../../src/vscode/testApi';
import { activatedApi } from './helpers';

describe('SecretStorage adapter', () => {
  it('round-trips a secret through the editor SecretStorage and deletes it', async () => {
    const api = await activatedApi();
    const key = `${SCRATCH_SECRET_PREFIX}${randomBytes(4).toString('hex')}`;
    const value = randomBytes(32).toString('base64url');
    await api.scratchSecrets.store(key, value);
    assert.equal(await api.scratchSecrets.get(key), value);
    await api.scratchSecrets.store(key, `${value}-2`);
    assert.equal(await api.scratchSecrets.get(key), `${value}-2`);
    await api.scratchSecrets.delete(key);
    assert.equal(await api.scratchSecrets.get(key), undefined);
  });
});

describe('the test API exposes no credentials', () => {
  it('has no raw SecretStorage access and refuses keys outside the scratch prefix', async () => {
    const api = await activatedApi();
    assert.equal('secrets' in api, false);
    await assert.rejects(api.scratchSecrets.get('mcpSecure.oauth.grant.it-tickets'), /only touches keys under/);
    await assert.rejects(api.scratchSecrets.store('mcpSecure.stdio.secret.x', 'v'), /only touches keys under/);
  });
});
