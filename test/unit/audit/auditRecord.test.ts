import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { eventDraft } from '../../../src/core/audit/auditEvents';
import {
  canonicalJson,
  computeRecordHash,
  GENESIS_HASH,
  recordOf,
  sealCanonical,
  sealRecordLine,
  toCanonicalDraft,
  type AuditDraft,
} from '../../../src/core/audit/auditRecord';
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

  it('seals a canonical draft (as the host hands it to the store thread) into the very line and hash of the whole record', () => {
    const drafts: AuditDraft[] = [
      makeDraft(1),
      makeDraft(2, { who: { agent: { kind: 'none' }, caller: 'gateway', human: undefined, conversationId: 'c-1' } }),
      makeDraft(3, {
        what: {
          server: { id: 's', name: 'Ünïcode ✓ "quoted"', transport: 'stdio', target: 'node a\\b.js' },
          tool: 'emoji_😀',
          // integer-like keys, nested undefined, arrays with holes and undefined, a key that sorts before `hash`
          arguments: { '10': 1, '9': [undefined, { b: 2, a: null }], e: undefined, a: 'x\u2028y' },
        },
      }),
      { ...makeDraft(4), durationMs: 0.125, scopes: [] },
      eventDraft('integrity', 'the log did not match', { witnessedFrom: 7 }, Date.UTC(2026, 1, 2), {
        caller: 'panel',
        human: { displayName: 'ada' },
      }),
      eventDraft('retention', 'removed 2 segments', { removedSegments: ['a', 'b'] }, 0),
    ];
    let prev = GENESIS_HASH;
    for (const draft of drafts) {
      const { hash, line } = sealCanonical(toCanonicalDraft(draft), prev);
      const record = recordOf(draft, prev, hash);
      const { hash: _h, ...unsealed } = record;
      assert.equal(hash, createHash('sha256').update(canonicalJson(unsealed)).digest('hex'), draft.what.tool);
      assert.equal(line, canonicalJson(record), draft.what.tool);
      assert.deepEqual(JSON.parse(line), JSON.parse(JSON.stringify(record)), 'the line parses back to the record');
      assert.equal(computeRecordHash(JSON.parse(line)), hash);
      assert.deepEqual(sealRecordLine(draft, prev), { record, line });
      prev = hash;
    }
  });

  it("leaves a draft's own v, prev or hash out of its canonical form: the seal sets them", () => {
    const draft = { ...makeDraft(5), v: 9, prev: 'forged', hash: 'forged' } as AuditDraft;
    const canonical = toCanonicalDraft(draft);
    assert.deepEqual(
      canonical.keys.filter((k) => ['v', 'prev', 'hash'].includes(k)),
      [],
    );
    const { line } = sealCanonical(canonical, GENESIS_HASH);
    const parsed = JSON.parse(line) as { v: number; prev: string; hash: string };
    assert.deepEqual([parsed.v, parsed.prev], [1, GENESIS_HASH]);
    const record = recordOf(draft, GENESIS_HASH, parsed.hash);
    assert.deepEqual(
      [record.v, record.prev, record.hash],
      [1, GENESIS_HASH, parsed.hash],
      'the record says what the line says',
    );
  });
});
