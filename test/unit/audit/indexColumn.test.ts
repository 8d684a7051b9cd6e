import { strict as assert } from 'node:assert';
import { float64Column, growAhead, int32Column, type IndexColumn } from '../../../src/core/audit/indexColumn';

/** Issue 9: the index's columns fill up together; growing them all inside one push blocked the host ~20 ms. */
describe('audit index columns', () => {
  it('growAhead grows one nearly full column per call, before any push finds it full, keeping every value', () => {
    const cols: IndexColumn<Float64Array | Int32Array>[] = [float64Column(), int32Column(), int32Column()];
    const capacity = (c: IndexColumn<Float64Array | Int32Array>): number => c.view().buffer.byteLength;
    const before = cols.map(capacity);
    for (let i = 0; i < 800; i++) for (const c of cols) c.push(i + 0.5 * Number(c === cols[0]));
    assert.ok(
      cols.every((c) => c.nearlyFull),
      '800 of 1024 used: less than a quarter left',
    );
    growAhead(cols);
    assert.deepEqual(cols.map(capacity), [before[0]! * 2, before[1]!, before[2]!], 'the first nearly full one only');
    growAhead(cols);
    growAhead(cols);
    assert.deepEqual(
      cols.map(capacity),
      before.map((b) => b * 2),
      'one more per call',
    );
    assert.ok(cols.every((c) => !c.nearlyFull));
    growAhead(cols);
    assert.deepEqual(
      cols.map(capacity),
      before.map((b) => b * 2),
      'nothing to grow',
    );
    assert.deepEqual(Array.from(cols[0]!.view().subarray(798)), [798.5, 799.5]);
    assert.deepEqual(Array.from(cols[2]!.view().subarray(0, 3)), [0, 1, 2]);
    assert.equal(cols[1]!.length, 800);
  });
});
