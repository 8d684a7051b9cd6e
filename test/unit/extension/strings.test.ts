import { strict as assert } from 'node:assert';
import { Strings, withSafeArguments } from '../../../src/vscode/strings';
import { HOSTILE_TEXTS, unsafeParts } from '../../fixtures/hostileText';

type Fn = (...args: unknown[]) => string;

/** More parameters than any entry takes (the wrapped functions hide their arity); extra ones are ignored. */
const ARITY = 4;

/** Calls `fn` with `hostile` in every parameter: as a string, or (for list parameters) as a list. */
function callWith(fn: Fn, hostile: string): string {
  const arity = ARITY;
  try {
    return fn(...Array.from({ length: arity }, () => hostile));
  } catch {
    return fn(...Array.from({ length: arity }, () => [hostile, hostile]));
  }
}

describe('Strings', () => {
  const functions = Object.entries(Strings).filter((e): e is [string, Fn] => typeof e[1] === 'function');

  it('has functions to check (the table is enumerable)', () => {
    assert.ok(functions.length >= 20, `only ${functions.length} functions found`);
  });

  it('no function lets link syntax, command: URIs, codicons, control, bidi or zero-width characters through', () => {
    const findings: string[] = [];
    for (const [name, fn] of functions) {
      for (const hostile of HOSTILE_TEXTS) {
        // Line breaks come only from the templates themselves (modal details); arguments are single-line.
        for (const line of callWith(fn, hostile).split('\n')) {
          for (const part of unsafeParts(line)) findings.push(`Strings.${name}: ${part}`);
        }
      }
    }
    assert.deepEqual(findings, []);
  });

  it("the issue's examples: a hostile tool name, server name and account label stay plain text", () => {
    const link = '[Open](command:mcpSecure.addServer?%7B%7D)';
    assert.equal(Strings.callingTool(link, '$(alert) srv'), 'Calling Open on srv…');
    assert.equal(Strings.signedIn('srv\u202E', `${link}\u200B`), 'Signed in to srv\uFFFD as Open\uFFFD.');
    assert.equal(Strings.connecting('<command:x>'), 'Connecting to \u2039 \u203A…');
  });

  it('keeps numbers and ordinary names unchanged', () => {
    assert.equal(
      Strings.invalidServers(3),
      '3 MCP server definition(s) in settings are invalid. See the MCP Secure Servers view.',
    );
    assert.equal(Strings.callingTool('close_ticket', 'Acme Tickets'), 'Calling close_ticket on Acme Tickets…');
  });

  it('withSafeArguments cleans list arguments and honours per-function limits', () => {
    const t = withSafeArguments(
      { list: (xs: readonly string[]) => xs.join('|'), short: (x: string) => x },
      { short: 5 },
    );
    assert.equal(t.list(['[a](command:b)', '$(c)d']), 'a|d');
    assert.equal(t.short('abcdefgh'), 'abcd\u2026');
  });
});
