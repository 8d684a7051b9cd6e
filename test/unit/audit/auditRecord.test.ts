import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { canonicalJson, computeRecordHash, GENESIS_HASH, sealRecordLine } from '../../../src/core/audit/auditRecord';
import { makeDraft } from '../../support/auditHelpers';

describe('audit record', () => {
  it('serialises canonically: sorted keys (also integer-like keys), no whitespace, undefined omitted', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [true, null, undefined, 'x'], c: undefined }),
      '{"a":[true,null,null,"x"],"b":1}',
    );
    assert.equal(canonicalJson({ z: { '10': 1, '9': 2, a: 3 } }), '{"z":{"10":1,"9":2,"a":3}}');
    assert.equal(canonicalJson({ é: 1, e: 2, E: 3 }), '{"E":3,"e":2,"é":1}');
    assert.throws(() => canonicalJson({ n: Number.NaN }), TypeError);
  });

  it('hashes SHA-256 over the canonical record without its hash, and the stored line is canonical', () => {
    const { record, line } = sealRecordLine(makeDraft(1), GENESIS_HASH);
    const { hash, ...rest } = record;
    assert.equal(hash, createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    assert.equal(line, canonicalJson(record));
    assert.equal(computeRecordHash(JSON.parse(line)), hash);
    assert.equal(record.prev, GENESIS_HASH);
  });
});
