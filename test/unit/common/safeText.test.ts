import { strict as assert } from 'node:assert';
import { safeJson, safeLines, safeLogLine, safeText, safeVerbatim } from '../../../src/core/common/safeText';
import { HOSTILE_TEXTS, unsafeParts } from '../../fixtures/hostileText';
import { HOSTILE_HTML_ERROR, HOSTILE_HTML_TOOL } from '../../fixtures/mcp/hostileServer';

describe('safeText', () => {
  it('leaves nothing of a hostile input that a surface could turn into a link, an icon or hidden text', () => {
    for (const hostile of [...HOSTILE_TEXTS, HOSTILE_HTML_ERROR, HOSTILE_HTML_TOOL]) {
      assert.deepEqual(unsafeParts(safeText(hostile)), [], hostile);
    }
  });

  it('keeps the label of a markdown link and drops its target', () => {
    assert.equal(
      safeText(
        'Denied [click here](command:workbench.action.terminal.new) $(alert) see command:evil.run?%5B%5D **now**\u0007',
      ),
      'Denied click here see **now**\uFFFD',
    );
  });

  it('removes reference-style definitions, autolinks and bare active URIs but keeps https URLs', () => {
    assert.equal(safeText('[docs][1]\n[1]: command:x'), 'docs 1');
    assert.equal(safeText('go <command:x> now'), 'go \u2039 \u203A now');
    assert.equal(safeText('see vscode://pub.ext/run?x and https://example.com/a'), 'see and https://example.com/a');
  });

  it('shows bidi, zero-width, tag and control characters as one visible replacement character per run', () => {
    assert.equal(safeText('Acme\u202Egnp.exe'), 'Acme\uFFFDgnp.exe');
    assert.equal(safeText('a\u200B\u200D\u2060\uFEFFb'), 'a\uFFFDb');
    assert.equal(safeText('a\u{E0041}\u{E0042}b'), 'a\uFFFDb');
    assert.equal(safeText('a\u0000\u001b[2Jb'), 'a\uFFFD 2Jb');
  });

  it('turns HTML-ish tags into inert text', () => {
    assert.equal(safeText('<img src=x onerror=alert(1)>'), '\u2039img src=x onerror=alert(1)\u203A');
  });

  it('does not let a removal join its neighbours into a new URI or codicon', () => {
    for (const joined of [
      'comm[and:evil.run',
      'comma$(x)nd:evil.run',
      '[comm](x)and:evil.run',
      '$[(alert)',
      '[$](x)(alert)',
    ]) {
      const out = safeText(joined);
      assert.ok(!/command:|\$\(/i.test(out), `${joined} -> ${out}`);
    }
  });

  it('keeps identifiers, scopes and ordinary punctuation intact', () => {
    assert.equal(
      safeText('close_ticket needs tickets:write (scope) — 100% done: ok'),
      'close_ticket needs tickets:write (scope) — 100% done: ok',
    );
    assert.equal(safeText('invalid data: missing field; file: none'), 'invalid data: missing field; file: none');
    assert.equal(safeText('Zoë 👩‍💻'.normalize('NFC')).startsWith('Zoë'), true);
  });

  it('collapses whitespace and line breaks to single spaces', () => {
    assert.equal(safeText('  a\n\n\tb\r\nc\u2028d  '), 'a b c d');
  });

  it('describes non-strings: errors by message, nullish as empty', () => {
    assert.equal(safeText(new Error('boom [x](command:y)')), 'boom x');
    assert.equal(safeText(undefined), '');
    assert.equal(safeText(null), '');
    assert.equal(safeText(42), '42');
  });

  it('bounds the length, marking the cut, also for huge inputs', () => {
    assert.equal(safeText('x'.repeat(1000), 20), `${'x'.repeat(19)}\u2026`);
    assert.equal(safeText('[a](command:b)'.repeat(200_000), 50).length <= 50, true);
  });

  it('is idempotent', () => {
    for (const hostile of [...HOSTILE_TEXTS, HOSTILE_HTML_ERROR, 'x'.repeat(600)]) {
      const once = safeText(hostile);
      assert.equal(safeText(once), once, hostile);
    }
  });

  it('safeLines keeps line breaks and cleans each line', () => {
    assert.equal(safeLines('a [x](command:y)\n\nb\u202E'), 'a x\n\nb\uFFFD');
    assert.equal(safeLines('1\n2\n3', 10, 2), '1\n2\n\u2026');
  });

  it('safeLogLine keeps log text but neutralises invisible characters and line breaks', () => {
    assert.equal(
      safeLogLine('GET [x](y) \u202Eok\nforged [info] line'),
      'GET [x](y) \uFFFDok \u21B5 forged [info] line',
    );
  });

  describe('safeJson', () => {
    it('shows the exact value, with link, codicon and invisible characters inside strings escaped', () => {
      const value = { text: '[x](command:evil) $(alert) <b>\u202E\u200B', list: ['a', 1, { deep: '`y`' }] };
      const shown = safeJson(value).text;
      assert.deepEqual(JSON.parse(shown), value, 'the same value, unambiguously');
      assert.ok(!/\]\(|\]\[|\]:|\$\(|[<>`\u202E\u200B]/.test(shown), shown);
    });

    it('bounds the length and says so', () => {
      const shown = safeJson({ big: 'x'.repeat(10_000) }, 100).text;
      assert.ok(shown.length < 200);
      assert.match(shown, /more characters not shown/);
    });

    it('interpolates as its text', () => {
      assert.equal(`${safeJson({ a: 1 })}`, '{\n  "a": 1\n}');
    });
  });

  describe('safeVerbatim', () => {
    /** The inverse of safeVerbatim's escapes: proves nothing was removed or changed. */
    const unescape = (t: string): string =>
      t.replace(/\\u\{([0-9A-F]+)\}|\\(.)/g, (_m, hex: string | undefined, c: string) =>
        hex ? String.fromCodePoint(parseInt(hex, 16)) : c,
      );

    it('keeps every character of a command line, shell syntax included, recoverably', () => {
      const commandLines = [
        "/bin/sh -c 'echo $(whoami) `id` > /tmp/x; [ -f y ] && cat <z'",
        'node server.js --url=command:mcpSecure.addServer --x=[a](b) \\share\\path',
        ...HOSTILE_TEXTS,
      ];
      for (const line of commandLines) assert.equal(unescape(safeVerbatim(line).text), line, line);
    });

    it('leaves nothing that renders as a link, an icon, a code span or hidden text', () => {
      for (const hostile of [...HOSTILE_TEXTS, 'sh -c "$(curl x)"']) {
        const shown = safeVerbatim(hostile).text;
        // Brackets survive only escaped (`\]` is a literal bracket in markdown, never link syntax).
        assert.ok(
          !/(?<!\\)\][([:]|\$\(|(?<!\\)[`<>[\]]|\b(?:command|vscode|file|javascript|data):/i.test(shown),
          shown,
        );
        assert.deepEqual(unsafeParts(shown.replace(/\\[\\[\]()<>`$:]/g, ' ')), [], shown);
      }
    });

    it('shows $(whoami) instead of removing it, and bidi characters as visible escapes', () => {
      assert.equal(safeVerbatim('echo $(whoami)\u202E').text, 'echo \\$\\(whoami\\)\\u{202E}');
    });
  });
});
