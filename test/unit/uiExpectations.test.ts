import { strict as assert } from 'node:assert';
import { expectedPrompt, resultTabLabel, showsConnected } from '../ui/expectations';

/** The UI walk-through's pass conditions (test/ui/expectations.ts) cannot be met by look-alikes. */
describe('UI walk-through expectations', () => {
  it('"connected" means the row reads Connected (wire, version): not Disconnected, Connecting or an error', () => {
    assert.equal(showsConnected('Demo Tickets Connected (streamable-http, 2025-11-25)'), true);
    assert.equal(showsConnected('Demo Tickets\nConnected (2026-07-28, tickets 1.0.0)'), true);
    for (const row of [
      'Demo Tickets Disconnected',
      'Demo Tickets Connecting…',
      'Demo Tickets Running',
      'Demo Tickets Error: connection refused (127.0.0.1:1)',
    ])
      assert.equal(showsConnected(row), false, row);
  });

  it('the call-tool result is the tab named after the server id and the tool, not any .json tab', () => {
    assert.equal(resultTabLabel('demo-tickets', 'whoami'), 'demo-tickets-whoami.json');
  });

  it('answers only the expected sign-in prompts, each with its own button; anything else is unexpected', () => {
    assert.deepEqual(
      [
        "The extension 'MCP Secure Connections' wants to sign in using MCP Secure Connections. Allow Cancel",
        'Do you want code-server to open the external website? http://127.0.0.1:7400/auth?client_id=x Open Copy Cancel',
      ].map((text) => [expectedPrompt(text)?.name, expectedPrompt(text)?.button]),
      [
        ['consent-dialog', 'Allow'],
        ['open-link-dialog', 'Open'],
      ],
    );
    for (const text of [
      "The extension 'Other Extension' wants to sign in using GitHub. Allow Cancel",
      "The extension 'Other Extension' wants to sign in using MCP Secure Connections. Allow Cancel",
      'Do you want to run the command line "node evil.js"? Yes No',
      'Allow the MCP server to read your files? Continue Cancel',
    ])
      assert.equal(expectedPrompt(text), undefined, text);
  });
});
