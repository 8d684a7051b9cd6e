/**
 * Import from where users' servers already are (issue 12, item 7): one parser per client format,
 * read from real sample files in test/fixtures/import, mapped onto `mcpSecure.servers` entries.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMcpSecureError } from '../../../src/core/errors';
import {
  readClientConfig,
  removeClientConfigServers,
  type ClientConfigFormat,
} from '../../../src/core/import/clientConfigs';
import { planImport, type ImportPlan } from '../../../src/core/import/importPlan';
import { parseServerDefinition, type ServerDefinition } from '../../../src/core/mcp/serverDefinition';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'import');

function planFile(format: ClientConfigFormat, file: string, existing: ServerDefinition[] = []): ImportPlan {
  return planImport(readClientConfig(format, readFileSync(path.join(FIXTURES, file), 'utf8')), existing);
}

/** `name → id/transport` of the additions, and `name → reason` of the skips. */
function summary(plan: ImportPlan): { added: Record<string, string>; skipped: Record<string, string> } {
  return {
    added: Object.fromEntries(plan.additions.map((a) => [a.name, `${a.def.id}/${a.def.transport}`])),
    skipped: Object.fromEntries(plan.skipped.map((k) => [k.name, k.reason])),
  };
}

function addition(plan: ImportPlan, name: string): ImportPlan['additions'][number] {
  const a = plan.additions.find((x) => x.name === name);
  assert.ok(a, `${name} is added`);
  return a;
}

describe('import: client configuration formats', () => {
  it("reads VS Code's user-level mcp.json (JSONC): stdio, http, sse; ${input:…} skipped; credentials split off", () => {
    const plan = planFile('vscode', 'vscode-user-mcp.json');
    assert.deepEqual(summary(plan), {
      added: { memory: 'memory/stdio', github: 'github/http', legacy: 'legacy/http', db: 'db/stdio' },
      skipped: { perplexity: 'uses_variables' },
    });
    const github = addition(plan, 'github');
    assert.deepEqual(github.entry.secretHeaders, ['Authorization']);
    assert.equal(github.entry.headers, undefined);
    assert.deepEqual(github.secrets, { Authorization: 'Bearer fixture-github-pat-0123456789abcdef' });
    const db = addition(plan, 'db');
    assert.deepEqual(db.entry.env, { LOG_LEVEL: 'debug' }, 'a plain value stays in settings');
    assert.deepEqual(db.entry.secretEnv, ['DATABASE_URL'], 'a URL with a password is a credential');
    assert.deepEqual(addition(plan, 'memory').entry, {
      id: 'memory',
      name: 'memory',
      transport: 'stdio',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
    });
  });

  it("reads Claude Desktop's claude_desktop_config.json (stdio servers, API keys in env)", () => {
    const plan = planFile('claudeDesktop', 'claude_desktop_config.json');
    assert.deepEqual(summary(plan), {
      added: { filesystem: 'filesystem/stdio', github: 'github/stdio', 'brave-search': 'brave-search/stdio' },
      skipped: {},
    });
    assert.deepEqual(addition(plan, 'github').entry.secretEnv, ['GITHUB_PERSONAL_ACCESS_TOKEN']);
    const brave = addition(plan, 'brave-search');
    assert.deepEqual(brave.entry.env, { BRAVE_REGION: 'us' });
    assert.deepEqual(brave.secrets, { BRAVE_API_KEY: 'fixture-brave-key-0123456789' });
  });

  it("reads Cursor's mcp.json: url servers with headers, ${workspaceFolder} skipped, a WebSocket server unsupported", () => {
    const plan = planFile('cursor', 'cursor-mcp.json');
    assert.deepEqual(summary(plan), {
      added: { linear: 'linear/http', 'internal-api': 'internal-api/http' },
      skipped: { sqlite: 'uses_variables', 'web-socket': 'unsupported_transport' },
    });
    const api = addition(plan, 'internal-api');
    assert.deepEqual(api.entry.headers, { 'X-Team': 'platform' });
    assert.deepEqual(api.entry.secretHeaders, ['X-Api-Key']);
  });

  it("reads Claude Code's .mcp.json: http/sse/stdio; plain http to a remote host is an invalid URL", () => {
    const plan = planFile('claudeCode', 'claude-code.mcp.json');
    assert.deepEqual(summary(plan), {
      added: { sentry: 'sentry/http', stripe: 'stripe/http', asana: 'asana/http' },
      skipped: { airtable: 'uses_variables', 'plain-http': 'invalid_url' },
    });
    assert.deepEqual(addition(plan, 'stripe').entry.secretHeaders, ['Authorization']);
  });

  it("reads only the user-scope servers of Claude Code's ~/.claude.json (not its per-project ones)", () => {
    const plan = planFile('claudeCodeUser', 'claude.json');
    assert.deepEqual(summary(plan), {
      added: { context7: 'context7/http', playwright: 'playwright/stdio' },
      skipped: {},
    });
  });

  it('skips servers already configured (same URL or command line) and ids taken by another server', () => {
    const existing = [
      parseServerDefinition({ id: 'mine', transport: 'http', url: 'https://mcp.sentry.dev/mcp' }),
      parseServerDefinition({ id: 'asana', transport: 'http', url: 'https://other.example.com/mcp' }),
    ];
    const plan = planFile('claudeCode', 'claude-code.mcp.json', existing);
    assert.equal(summary(plan).skipped.sentry, 'already_present');
    assert.match(plan.skipped.find((k) => k.name === 'sentry')?.detail ?? '', /"mine"/);
    assert.equal(summary(plan).skipped.asana, 'duplicate_id');
    // Two names that map onto the same id: the second one is a duplicate.
    const twins = planImport(
      readClientConfig(
        'cursor',
        '{"mcpServers":{"a b":{"url":"https://a.example.com/mcp"},"a-b":{"url":"https://b.example.com/mcp"}}}',
      ),
      [],
    );
    assert.deepEqual(summary(twins), { added: { 'a b': 'a-b/http' }, skipped: { 'a-b': 'duplicate_id' } });
  });

  it('every added entry is accepted by parseServerDefinition as written to settings', () => {
    for (const [format, file] of [
      ['vscode', 'vscode-user-mcp.json'],
      ['claudeDesktop', 'claude_desktop_config.json'],
      ['cursor', 'cursor-mcp.json'],
      ['claudeCode', 'claude-code.mcp.json'],
      ['claudeCodeUser', 'claude.json'],
    ] as const) {
      for (const a of planFile(format, file).additions) assert.deepEqual(parseServerDefinition(a.entry), a.def);
    }
  });

  it('removes imported servers from the original document and keeps everything else', () => {
    const text = readFileSync(path.join(FIXTURES, 'vscode-user-mcp.json'), 'utf8');
    const next = JSON.parse(removeClientConfigServers('vscode', text, ['memory', 'github'])) as {
      servers: Record<string, unknown>;
      inputs: unknown[];
    };
    assert.deepEqual(Object.keys(next.servers), ['legacy', 'perplexity', 'db']);
    assert.equal(next.inputs.length, 1);
  });
});

describe('import: malformed files are typed errors', () => {
  const code = (format: ClientConfigFormat, text: string): string | undefined => {
    try {
      readClientConfig(format, text);
      return undefined;
    } catch (err) {
      assert.ok(isMcpSecureError(err, 'invalid_import_file'), String(err));
      assert.ok(!err.message.includes('fixture-canary'), 'the message never quotes the file');
      return err.code;
    }
  };

  it('refuses non-JSON, a non-object top level and a servers key that is not an object', () => {
    assert.equal(
      code('claudeDesktop', '{ "mcpServers": { "x": { "env": { "K": "fixture-canary" } } '),
      'invalid_import_file',
    );
    assert.equal(code('claudeDesktop', '[1, 2]'), 'invalid_import_file');
    assert.equal(code('cursor', '{ "mcpServers": "fixture-canary" }'), 'invalid_import_file');
    assert.equal(code('vscode', '{ "servers": [] }'), 'invalid_import_file');
    // Claude Desktop reads strict JSON; comments are VS Code's and Cursor's dialect.
    assert.equal(code('claudeDesktop', '// note\n{ "mcpServers": {} }'), 'invalid_import_file');
    assert.equal(code('vscode', '// note\n{ "servers": {}, }'), undefined);
  });

  it('a file without the servers key has no servers', () => {
    assert.deepEqual(readClientConfig('claudeCodeUser', '{ "numStartups": 1 }'), []);
  });

  it('keeps commas and comment markers inside strings', () => {
    const entries = readClientConfig('vscode', '{ "servers": { "a,}": { "url": "https://x.example.com/a//b,]" }, } }');
    assert.deepEqual(entries, [{ name: 'a,}', raw: { url: 'https://x.example.com/a//b,]' } }]);
  });
});
