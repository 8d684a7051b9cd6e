/**
 * The status bar's words (issue 12, item 4), computed without the editor API: connected count, and a
 * warning for an expired sign-in that cannot renew itself or an audit log that cannot be written.
 */
import { strict as assert } from 'node:assert';
import { isExpired, type ServerStatusInput, summarizeStatus } from '../../../src/vscode/native/statusSummary';

describe('status bar summary', () => {
  const now = 1_000_000;
  const tickets: ServerStatusInput = {
    name: 'Tickets',
    transport: 'http',
    state: 'running',
    grant: { expiresAt: now + 60_000, hasRefreshToken: true },
  };
  const notes: ServerStatusInput = { name: 'Notes', transport: 'stdio', state: 'stopped' };

  it('counts connected servers and lists each state', () => {
    const s = summarizeStatus([tickets, notes], { kind: 'ok' }, now);
    assert.equal(s.text, '$(shield) MCP 1/2');
    assert.equal(s.warning, false);
    assert.match(s.tooltip, /1 of 2 server\(s\) connected/);
    assert.match(s.tooltip, /• Tickets: connected\n• Notes: not connected/);
  });

  it('warns when a sign-in expired without a refresh token, not when it can renew itself', () => {
    assert.equal(isExpired({ expiresAt: now - 1, hasRefreshToken: true }, now), false);
    assert.equal(isExpired({ expiresAt: now - 1, hasRefreshToken: false }, now), true);
    assert.equal(isExpired(undefined, now), false);
    const s = summarizeStatus([{ ...tickets, state: 'stopped', grant: { expiresAt: now - 1 } }], { kind: 'ok' }, now);
    assert.equal(s.text, '$(warning) MCP 0/1');
    assert.deepEqual(s.expired, ['Tickets']);
    assert.match(s.tooltip, /The sign-in to Tickets expired: sign in again\./);
  });

  it('warns when the audit log cannot be written or opened', () => {
    const failing = summarizeStatus([tickets], { kind: 'failing', unwritten: 3 }, now);
    assert.equal(failing.warning, true);
    assert.match(failing.tooltip, /audit log cannot be written \(3 record\(s\) waiting/);
    assert.match(summarizeStatus([], { kind: 'unavailable' }, now).tooltip, /could not be opened/);
  });

  it('says so when there are no servers', () => {
    const s = summarizeStatus([], { kind: 'ok' }, now);
    assert.equal(s.text, '$(shield) MCP');
    assert.match(s.tooltip, /No MCP servers yet/);
  });
});
