/**
 * What "Import Servers…" shows (issue 12, item 7): the source picker's items and the preview, built
 * from another app's file. Every name, URL and command in them is hostile: only plain text gets out,
 * every skip carries its reason, and a credential never appears.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readClientConfig } from '../../../src/core/import/clientConfigs';
import { planImport } from '../../../src/core/import/importPlan';
import type { ImportSource } from '../../../src/core/import/importSources';
import { previewText, sourceItems } from '../../../src/vscode/importPreview';
import { HOSTILE_TEXTS, unsafeParts } from '../../fixtures/hostileText';

describe('import: picker and preview text', () => {
  const source: ImportSource = { id: 'cursorUser', format: 'cursor', file: '/home/a/.cursor/mcp.json', scope: 'user' };

  it('lists each source with its server count, or why it cannot be read', () => {
    const text = '{ "mcpServers": { "a": { "url": "https://a.example.com/mcp" }, "b": { "command": "node" } } }';
    const items = sourceItems([
      { source, entries: readClientConfig('cursor', text), text },
      {
        source: { ...source, id: 'claudeDesktop', format: 'claudeDesktop' },
        error: 'The configuration file is not valid JSON.',
      },
    ]);
    assert.deepEqual(
      items.map((i) => [i.label, i.description, i.detail]),
      [
        ['Cursor (user mcp.json)', '2 server(s)', '/home/a/.cursor/mcp.json'],
        ['Claude Desktop', 'cannot be read: The configuration file is not valid JSON.', '/home/a/.cursor/mcp.json'],
      ],
    );
  });

  it('shows hostile names, URLs and commands as plain text, with every skip and its reason, and no credential', () => {
    const canary = `canary-${randomBytes(24).toString('base64url')}`;
    const servers: Record<string, unknown> = {};
    HOSTILE_TEXTS.forEach((name, i) => {
      servers[`${name} ${i}`] =
        i % 3 === 0
          ? { url: `https://mcp.example.com/${encodeURIComponent(name)}`, headers: { 'X-Api-Key': canary } }
          : i % 3 === 1
            ? { command: `/opt/${name.replace(/[\0\r\n]/g, '')}`, env: { TOKEN: canary } }
            : { type: name, url: 'https://x.example.com/mcp' };
    });
    const plan = planImport(readClientConfig('cursor', JSON.stringify({ mcpServers: servers })), []);
    assert.ok(plan.additions.length > 0 && plan.skipped.length > 0, 'both lists are exercised');
    const { message, detail } = previewText(source, plan);
    const items = sourceItems([{ source, entries: [], text: '' }]);
    // Lines are ours (the preview is one line per server); each line is checked on its own.
    for (const text of [message, ...detail.split('\n'), ...items.flatMap((i) => [i.label, i.description, i.detail])]) {
      assert.deepEqual(unsafeParts(text), [], text);
      assert.ok(!text.includes(canary), 'no credential in the preview');
    }
    assert.equal(detail.split('\n').filter((l) => l.startsWith('+ ')).length, plan.additions.length);
    assert.equal(detail.split('\n').filter((l) => l.startsWith('- ')).length, plan.skipped.length);
    assert.match(detail, /skipped, unsupported transport/);
    assert.match(detail, /credential\(s\) found in env or headers go to the editor's secret storage/);
  });
});
