import { strict as assert } from 'node:assert';
import { randomInt } from 'node:crypto';
import { AuditIndex } from '../../../src/core/audit/auditIndex';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { TextHaystack } from '../../../src/core/audit/textHaystack';
import { trigramKeys, TrigramPostings } from '../../../src/core/audit/trigramIndex';
import { makeDraft, tempDirEach } from '../../support/auditHelpers';

/** Texts deliberately mixing case, token boundaries, non-ASCII (incl. case folding that changes length) and astral characters. */
const WORDS = [
  'Customer',
  'cannot',
  'LOG',
  'in',
  'Ticket-17',
  'ticket_170',
  'ÉCOLE',
  'straße',
  'İstanbul',
  'ΣΊΣΥΦΟΣ',
  '東京都',
  '😀ok',
  'a',
  'x\u0001y',
  '17',
  '  ',
  'naïve',
  'ǅemal',
];

function randomText(): string {
  const parts: string[] = [];
  const n = randomInt(0, 7);
  for (let i = 0; i < n; i++) parts.push(WORDS[randomInt(WORDS.length)] as string);
  return parts.join(randomInt(3) === 0 ? '' : ' ');
}

const NEEDLES = [
  'customer cannot',
  'omer can',
  'r 17',
  'ticket-1',
  'et_17',
  'école',
  'ÉCOLE',
  'straße',
  'STRASSE',
  'i̇stanbul',
  'istanbul',
  'σίσυφος',
  'ίσυφ',
  '京都',
  '東京都 ',
  '😀o',
  'ok\u0001',
  'log in',
  'g i',
  'ïve',
  'ǆemal',
  'ǅe',
  'a',
  '17',
  ' ',
  'xyz-not-there',
  'cannotcannot',
  'in😀',
];

/** What search must return: exactly a case-insensitive substring test per record (the semantics before the index). */
function naive(texts: readonly string[], needle: string): number[] {
  const n = needle.toLowerCase().replaceAll('\u0001', ' ');
  return texts.flatMap((t, i) => (t.toLowerCase().replaceAll('\u0001', ' ').includes(n) ? [i] : []));
}

function searchAll(h: TextHaystack, order: number[], size: number, needle: string): number[] {
  const hits = new Uint8Array(size);
  h.search(needle.toLowerCase(), order, hits);
  return [...hits.keys()].filter((i) => hits[i] === 1);
}

describe('free-text index (trigram postings)', () => {
  it('finds exactly what a case-insensitive substring scan finds: across token boundaries, case folding, non-ASCII, short needles', async () => {
    const h = new TextHaystack({ maxTail: 3 });
    const texts: string[] = [];
    const order = [1, 2, 3, 4];
    for (const seg of order) {
      for (let i = 0; i < 300; i++) {
        const t = randomText();
        texts.push(t);
        h.add(seg, t);
      }
    }
    await h.seal();
    assert.ok(h.memoryBytes().postings > 0, 'postings were built');
    for (const needle of NEEDLES)
      assert.deepEqual(
        searchAll(h, order, texts.length, needle),
        naive(texts, needle),
        `needle ${JSON.stringify(needle)}`,
      );
  });

  it('finds records appended live after the postings were built (unindexed tail, then a rebuild)', async () => {
    const h = new TextHaystack({ maxTail: 4 });
    const texts: string[] = [];
    const check = (): void => {
      for (const needle of ['omer 1', 'customer 7', 'straße 3', 'tomer'])
        assert.deepEqual(searchAll(h, [1], texts.length, needle), naive(texts, needle), needle);
    };
    const add = (k: number): void => {
      const t = k % 2 ? `Customer ${k} STRASSE` : `customer ${k} Straße ${k}`;
      texts.push(t);
      h.add(1, t);
    };
    for (let k = 0; k < 10; k++) add(k);
    await h.seal();
    const built = h.memoryBytes().postings;
    assert.ok(built > 0);
    for (let k = 10; k < 13; k++) add(k); // a tail below maxTail: searched by scanning
    await h.seal();
    assert.equal(h.memoryBytes().postings, built, 'small tail not indexed yet');
    check();
    for (let k = 13; k < 40; k++) {
      add(k);
      await h.seal();
      check();
    }
    assert.ok(h.memoryBytes().postings > built, 'postings rebuilt once the tail outgrew the indexed part');
  });

  it('forgets dropped segments and everything on clear', async () => {
    const h = new TextHaystack({ maxTail: 0 });
    h.add(1, 'alpha beta');
    h.add(2, 'alpha gamma');
    h.add(3, 'beta alpha');
    await h.seal();
    assert.deepEqual(searchAll(h, [1, 2, 3], 3, 'alpha'), [0, 1, 2]);
    h.drop(1);
    assert.deepEqual(searchAll(h, [2, 3], 2, 'alpha'), [0, 1]);
    assert.deepEqual(searchAll(h, [2, 3], 2, 'beta'), [1]);
    h.clear();
    assert.deepEqual(searchAll(h, [2, 3], 2, 'alpha'), []);
    assert.deepEqual(h.memoryBytes(), { haystack: 0, postings: 0, positions: 0 });
  });

  it('postings keep common trigrams as bitmaps and rare ones as lists; candidates are a superset of true matches', () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `common words ${i}`);
    const hay = `${texts.join('\u0001')}\u0001`;
    const p = TrigramPostings.build(hay, texts.length, hay.length);
    const postings = p.memoryBytes() - p.positionBytes();
    assert.ok(postings < texts.length * 24, `${postings} bytes for ${texts.length} records`);
    // the 11 trigrams of 'common words ' and 's 1' (1,111 of 2,000 records) are in more than half the
    // records: each keeps one position byte per record
    assert.equal(p.positionBytes(), 12 * texts.length);
    assert.equal(p.candidates(trigramKeys('common')).length, texts.length);
    assert.deepEqual(p.candidates(trigramKeys('1999')), [1999]);
    assert.ok(p.candidates(trigramKeys('s 12')).includes(12));
    assert.deepEqual(p.candidates(trigramKeys('zzz')), []);
  });

  it('proves matches of a needle most records hold from trigram positions, and still verifies the rest (issue 9)', async () => {
    // a non-ASCII code unit whose 7-bit fold collides with 'n': its trigrams share the keys of ASCII ones
    const fold = (c: number): number => (c ^ (c >>> 7) ^ (c >>> 14)) & 127;
    let wide = 0x100;
    while (fold(wide) !== 'n'.charCodeAt(0) || String.fromCharCode(wide).toLowerCase() !== String.fromCharCode(wide))
      wide++;
    const variants = [
      (i: number) => `cannot xyz t log ${i}`, // every trigram of 'cannot log', not the substring
      (i: number) => `cannot lag ${i} cannot log`, // first occurrences misaligned, the needle further on
      (i: number) => `${'x'.repeat(130)} cannot log ${i}`, // the needle beyond the kept positions
      (i: number) => `can${String.fromCharCode(wide)}ot log ${i}`, // colliding keys, not the substring
      (i: number) => `Customer ${i} CANNOT LOG in`, // case folded
    ];
    const texts = Array.from({ length: 3000 }, (_, i) =>
      i % 10 < 5 ? `customer ${i} cannot log in` : (variants[(i % 10) - 5] as (i: number) => string)(i),
    );
    const h = new TextHaystack({ maxTail: 0 });
    texts.forEach((t, i) => h.add(1 + Math.floor(i / 1000), t));
    await h.seal();
    const hay = `${texts
      .slice(0, 1000)
      .map((t) => t.toLowerCase())
      .join('\u0001')}\u0001`;
    const p = TrigramPostings.build(hay, 1000, hay.length);
    assert.ok(p.positions('cannot log'), 'the needle is answered from positions');
    assert.equal(p.positions('cannöt log'), undefined, 'non-ASCII needles are not');
    for (const needle of ['cannot log', 'cannot lo', 'annot log in', 'cannot', 'log ', 'not xyz t log', 'customer 1'])
      assert.deepEqual(searchAll(h, [1, 2, 3], texts.length, needle), naive(texts, needle), needle);
  });

  it('segments of more than 65536 records use 32-bit id lists', () => {
    const texts = Array.from({ length: 70_000 }, (_, i) => `r${i}`);
    const hay = `${texts.join('\u0001')}\u0001`;
    const p = TrigramPostings.build(hay, texts.length, hay.length);
    const r6999x = Array.from({ length: 10 }, (_, k) => 69_990 + k);
    assert.deepEqual(p.candidates(trigramKeys('r69999')), [6999, ...r6999x], 'every record holding r69, 699 and 999');
    assert.deepEqual(
      p.candidates(trigramKeys('6999')).filter((id) => id > 65_535),
      [66_999, ...r6999x],
    );
  });

  it('builds postings in slices that give the event loop back (issue 9), with the postings of a build in one go', async () => {
    const texts = Array.from({ length: 20_000 }, (_, i) => `customer ${i} cannot log in ${randomText()}`);
    const hay = `${texts.map((t) => t.toLowerCase()).join('\u0001')}\u0001`;
    let turns = 0;
    let building = true;
    const spin = (): void => {
      turns++;
      if (building) setImmediate(spin);
    };
    setImmediate(spin);
    // a zero budget yields after every slice: other work (here: the spinning callback) runs in between
    const sliced = await TrigramPostings.buildSliced(hay, texts.length, hay.length, 0);
    building = false;
    const whole = TrigramPostings.build(hay, texts.length, hay.length);
    assert.ok(turns > 2, `the event loop turned ${turns} time(s) during the build`);
    for (const needle of ['customer 1999', 'cannot log', 'ticket-17', 'zzz', 'straße'])
      assert.deepEqual(sliced.candidates(trigramKeys(needle)), whole.candidates(trigramKeys(needle)), needle);
    assert.equal(sliced.memoryBytes(), whole.memoryBytes());
  });

  describe('through AuditIndex over a real store', () => {
    let store: AuditStore | undefined;
    const t = tempDirEach(() => store);

    it('indexes rotated segments, picks up live appends, follows retention and clear', async () => {
      store = await AuditStore.open({
        dir: t.dir,
        segmentMaxBytes: 4096,
        retention: { maxBytes: 40_000 },
        durable: false,
      });
      for (let i = 0; i < 40; i++)
        await store.append(
          makeDraft(i, { what: { ...makeDraft(i).what, arguments: { note: `Größe ${i} Ticket-${i}` } } }),
        );
      const ix = await AuditIndex.build(t.dir, { maxTail: 2 });
      assert.ok(ix.textMemoryBytes().postings > 0);
      assert.equal(ix.query({ text: 'GRÖSSE' }).total, 0, 'ß does not fold to ss (same semantics as toLowerCase)');
      assert.equal(ix.query({ text: 'größe 1' }).total, 11);
      assert.deepEqual(
        ix.query({ text: 'ticket-1' }, 0, 50),
        ix.query({ text: 'ticket-1', from: 0 }, 0, 50),
        'a text-only filter (hit mask straight to positions) lists what the column scan lists',
      );
      assert.equal(ix.query({ text: 'e 3 tick' }).total, 1, 'across token boundaries');
      assert.equal(ix.query({ text: 'TOOL_3' }).total, 4, 'tool name (tool_3 of 40 records: 3, 14, 25, 36)');
      assert.equal(ix.query({ text: 'denie' }).total, 10, 'outcome kind');
      assert.equal(ix.query({ text: 'PALET' }).total, 40, 'caller');
      assert.equal(ix.query({ text: 'srv2' }).total, 13, 'server id');
      assert.equal(
        ix.query({ text: 'user-6', outcome: 'success' }).total,
        1,
        'user sub with a structured filter (6, 13, 20, 27, 34; only 20 is a success)',
      );
      for (let i = 40; i < 120; i++)
        await store.append(
          makeDraft(i, { what: { ...makeDraft(i).what, arguments: { note: `Größe ${i} Ticket-${i}` } } }),
        );
      await ix.refresh();
      assert.equal(ix.query({ text: 'ticket-119' }).total, 1, 'live append after the index was built');
      const firstKept = ix.query({}, 0, 1000).rows.at(-1);
      assert.ok(firstKept && firstKept.ref.split(':')[0] !== '1', 'retention removed the first segment');
      const kept = ix.query({}).total;
      assert.ok(kept < 120);
      const retentionEvents = ix.query({ tool: 'audit.retention' }).total;
      assert.ok(retentionEvents > 0, 'retention is recorded in the chain');
      assert.equal(
        ix.query({ text: 'größe' }).total,
        kept - retentionEvents,
        'removed segments are gone from text search too',
      );
      assert.equal(ix.query({ text: 'ticket-0' }).total, 0);
      await store.clear();
      await ix.refresh();
      assert.equal(ix.query({ text: 'größe' }).total, 0);
      await store.append(makeDraft(500, { what: { ...makeDraft(500).what, arguments: { note: 'after clear' } } }));
      await ix.refresh();
      assert.equal(ix.query({ text: 'AFTER CLEAR' }).total, 1);
    });
  });
});
