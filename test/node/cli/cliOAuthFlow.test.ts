import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { FileSecretStore } from '../../../src/cli/fileSecretStore';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';
import { completeAuthorizationWithForms } from '../../fixtures/auth/formLogin';
import { bundleCli, startCliSignIn, type CliRun, type CliSignIn } from './support/cliBundle';

/**
 * The CLI's OAuth commands end to end, as real child processes against the fixture authorization
 * server (oidc-provider) and the tickets MCP server: login through the AS's login/consent forms,
 * grants persisted in the encrypted file store across processes, whoami, a 403 that needs consent,
 * step-up, logout with revocation — and no token value in any output.
 */
describe('mcp-secure CLI OAuth flow (real AS, real MCP server, real processes)', function () {
  this.timeout(120_000);
  let demo: DemoServers;
  let dir: string;
  let cli: string;
  let storePath: string;
  const storeKey = `hex:${randomBytes(32).toString('hex')}`;
  const outputs: string[] = [];

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-cli-oauth-'));
    storePath = join(dir, 'grants.store');
    demo = await startDemoServers();
  });
  after(async () => {
    await demo?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function start(args: string[]): CliSignIn {
    const started = startCliSignIn(cli, [...args, '--store', `file:${storePath}`], { MCP_SECURE_STORE_KEY: storeKey });
    void started.done.then((r) => outputs.push(r.stdout, r.stderr));
    return started;
  }
  const run = (args: string[]): Promise<CliRun> => start(args).done;
  const user = (): { username: string; password: string } => demo.users[0] as { username: string; password: string };

  it('Ctrl-C during sign-in cancels: exit 2 (authorization_cancelled), the loopback listener is closed, no grant is stored', async () => {
    const login = start(['login', demo.httpMcpUrl]);
    const url = await login.authorizationUrl();
    const redirectUri = new URL(url.searchParams.get('redirect_uri') as string);
    assert.equal(redirectUri.hostname, '127.0.0.1');
    login.child.kill('SIGINT');
    const r = await login.done;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /authorization_cancelled/);
    await assert.rejects(fetch(redirectUri), 'the loopback listener no longer accepts connections');
    const who = await run(['whoami', demo.httpMcpUrl]);
    assert.equal(who.code, 2, 'a cancelled sign-in stores no grant (the dynamic client registration may be kept)');
  });

  it('signs in through the login and consent forms and keeps the grant in the encrypted store', async () => {
    const login = start(['login', demo.httpMcpUrl, '--scope', 'tickets:read']);
    await completeAuthorizationWithForms(await login.authorizationUrl(), user());
    const r = await login.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /granted: +tickets:read/);
    const text = await fs.readFile(storePath, 'utf8');
    assert.ok(!text.includes('tickets:read'), 'the store file is encrypted');
  });

  it('whoami reads the grant in a new process; tools and list_tickets use it', async () => {
    const who = await run(['whoami', demo.httpMcpUrl, '--json']);
    assert.equal(who.code, 0, who.stderr);
    const grant = JSON.parse(who.stdout) as { subject?: string; grantedScopes: string[]; issuer: string };
    assert.deepEqual(grant.grantedScopes, ['tickets:read']);
    assert.equal(grant.issuer, demo.issuer);
    assert.ok(grant.subject);
    const tools = await run(['tools', demo.httpMcpUrl]);
    assert.equal(tools.code, 0, tools.stderr);
    assert.match(tools.stdout, /list_tickets/);
    const list = await run(['call', demo.httpMcpUrl, 'list_tickets', '--args', '{}']);
    assert.equal(list.code, 0, list.stderr);
  });

  it('a call that needs a wider scope fails with exit 2 unless the user consents to step up', async () => {
    const refused = await run(['call', demo.httpMcpUrl, 'close_ticket', '--args', '{"id":"T-2"}', '--json']);
    assert.equal(refused.code, 2, refused.stderr);
    // No terminal here: the step-up sign-in goes through an opener (a script that records the URL).
    const opened = join(dir, 'step-up-url.txt');
    const recorder = join(dir, 'record-url.js');
    await fs.writeFile(recorder, `require('fs').writeFileSync(${JSON.stringify(opened)}, process.argv[2]);\n`);
    const stepUp = start([
      'call',
      demo.httpMcpUrl,
      'close_ticket',
      '--args',
      '{"id":"T-2"}',
      '--allow-step-up',
      '--open-with',
      `${process.execPath} ${recorder}`,
    ]);
    await completeAuthorizationWithForms(new URL(await readWhenWritten(opened)), user());
    const r = await stepUp.done;
    assert.equal(r.code, 0, r.stderr);
    const who = await run(['whoami', demo.httpMcpUrl, '--json']);
    assert.deepEqual((JSON.parse(who.stdout) as { grantedScopes: string[] }).grantedScopes.sort(), [
      'tickets:read',
      'tickets:write',
    ]);
  });

  it('never prints token values, and logout revokes and forgets the grant', async () => {
    const store = await FileSecretStore.open(storePath, storeKey);
    const tokenValues: string[] = [];
    let refreshToken: string | undefined;
    for (const key of await store.keys()) {
      const value = await store.get(key);
      const parsed = value?.startsWith('{') ? (JSON.parse(value) as Record<string, unknown>) : {};
      for (const field of ['accessToken', 'refreshToken'])
        if (typeof parsed[field] === 'string') tokenValues.push(parsed[field] as string);
      if (typeof parsed.refreshToken === 'string') refreshToken = parsed.refreshToken;
    }
    assert.ok(tokenValues.length > 0 && refreshToken, 'the grant holds an access and a refresh token');
    assert.equal(await demo.authServer.refreshTokenStatus(refreshToken), 'active');
    const out = await run(['logout', demo.httpMcpUrl]);
    // The fixture AS answers unsupported_token_type for its (JWT) access tokens (RFC 7009 §2.2.1); the
    // refresh token carries the grant and is revoked, so sign-out succeeds.
    assert.equal(out.code, 0, out.stderr);
    assert.equal(
      await demo.authServer.refreshTokenStatus(refreshToken),
      'unknown',
      'the refresh token was revoked at the AS',
    );
    const after = await run(['whoami', demo.httpMcpUrl]);
    assert.equal(after.code, 2);
    const all = outputs.join('\n');
    for (const t of tokenValues) assert.ok(!all.includes(t), 'a token value appeared in CLI output');
  });
});

async function readWhenWritten(path: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const text = await fs.readFile(path, 'utf8').catch(() => '');
    if (text) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} was never written`);
}
