import { strict as assert } from 'node:assert';
import { orderSuites } from '../integration/runner/order';

describe('integration suite order (MCP_SECURE_TEST_ORDER)', () => {
  const files = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

  it('keeps the sorted order by default and reverses on request', () => {
    assert.deepEqual(orderSuites(files), files);
    assert.deepEqual(orderSuites(files, 'reverse'), [...files].reverse());
  });

  it('shuffles deterministically per seed: a permutation, replayable, different for another seed', () => {
    const one = orderSuites(files, 'shuffle:7');
    assert.deepEqual([...one].sort(), files);
    assert.deepEqual(orderSuites(files, 'shuffle:7'), one);
    assert.notDeepEqual(one, files);
    assert.notDeepEqual(orderSuites(files, 'shuffle:8'), one);
  });

  it('refuses an order it does not know', () => {
    assert.throws(() => orderSuites(files, 'random'), /reverse or shuffle:<seed>/);
  });
});
