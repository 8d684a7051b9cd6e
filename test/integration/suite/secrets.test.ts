import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { activatedApi } from './helpers';

describe('SecretStorage adapter', () => {
  it('round-trips a secret through the editor SecretStorage and deletes it', async () => {
    const api = await activatedApi();
    const key = `mcpSecure.it/${randomBytes(4).toString('hex')}`;
    const value = randomBytes(32).toString('base64url');
    await api.secrets.store(key, value);
    assert.equal(await api.secrets.get(key), value);
    await api.secrets.store(key, `${value}-2`);
    assert.equal(await api.secrets.get(key), `${value}-2`);
    await api.secrets.delete(key);
    assert.equal(await api.secrets.get(key), undefined);
  });
});
