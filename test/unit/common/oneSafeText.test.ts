import { strict as assert } from 'node:assert';
import { ProtocolError } from '@modelcontextprotocol/client';
import { toTerminalText } from '../../../src/cli/terminalText';
import { safeText } from '../../../src/core/common/safeText';
import { toMcpSecureError } from '../../../src/core/mcp/errorMapping';
import type { AuthServerMetadata } from '../../../src/core/oauth/authServerMetadata';
import { checkAuthorizationResponse } from '../../../src/core/oauth/authorizationCodeFlow';
import { codeSpan } from '../../../src/core/security/securityReportFormat';

/**
 * Issue 10: one untrusted-text → safe-text rule. The CLI's terminal text and the typed errors built
 * from server text derive from `src/core/common/safeText.ts` instead of carrying their own character
 * lists (which had drifted: tag characters, isolates and the soft hyphen passed the CLI; links passed
 * the error messages).
 */
describe('one safe-text rule for every surface', () => {
  /** Characters `safeText` neutralises that a terminal would act on or hide. */
  const HIDDEN = [
    '\u00ad',
    '\u061c',
    '\u180e',
    '\u2066',
    '\u2069',
    '\u206a',
    '\ufff9',
    '\u{E0041}',
    '\u202e',
    '\u200b',
  ];

  it('the terminal escapes every character safeText neutralises, keeping only tab and newline', () => {
    for (const c of HIDDEN) {
      assert.equal(safeText(`a${c}b`), 'a\uFFFDb', `safeText neutralises U+${c.codePointAt(0)!.toString(16)}`);
      const shown = toTerminalText(`a${c}b`);
      assert.ok(!shown.includes(c), `the terminal shows U+${c.codePointAt(0)!.toString(16)} escaped: ${shown}`);
      assert.match(shown, /^a(\\u[0-9a-f]{4})+b$/);
    }
    assert.equal(toTerminalText('\u{E0041}'), '\\udb40\\udc41');
    assert.equal(toTerminalText('a\tb\nc\rd'), 'a\tb\nc\\u000dd');
  });

  it("the security report's code spans drop every character safeText neutralises", () => {
    for (const c of HIDDEN) assert.equal(codeSpan(`a${c}b`), '`a b`', `U+${c.codePointAt(0)!.toString(16)}`);
  });

  it('an MCP server error quoted in a typed error carries no link, command URI or bidi override', () => {
    const err = toMcpSecureError(new ProtocolError(-32000, 'see [docs](command:workbench.action.x) \u202eevil'));
    assert.equal(err.code, 'protocol_error');
    assert.doesNotMatch(err.message, /command:|\]\(|\u202e/);
    assert.match(err.message, /docs/);
  });

  it("an authorization server's error_description quoted in a typed error carries no command URI", () => {
    const metadata = { issuer: 'https://as.example' } as AuthServerMetadata;
    const callback = new URL('http://127.0.0.1:1/cb');
    callback.searchParams.set('state', 's');
    callback.searchParams.set('iss', 'https://as.example');
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('error_description', 'retry at (command:workbench.action.terminal.sendSequence)');
    assert.throws(
      () => checkAuthorizationResponse(callback, metadata, 's'),
      (e: Error) => e.message.includes('access_denied') && !/command:/.test(e.message),
    );
  });
});
