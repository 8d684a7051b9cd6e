import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FileSecretStore } from '../../../src/cli/fileSecretStore';
import { closedPort } from '../../fixtures/closedPort';
import { startDemoServers, type DemoServers } from '../../fixtures/demoServers';
import { completeAuthorizationWithForms } from '../../fixtures/auth/formLogin';
import { startMisconfiguredServer } from '../../fixtures/auth/misconfiguredServer';
import { startHostileServer } from '../../fixtures/mcp/hostileServer';
import { startSessionServer } from '../../fixtures/mcp/sessionServer';
import { stdioServerCommand } from '../../fixtures/mcp/stdioServerCommand';
import { bundleCli, startCliSignIn, type CliRun, type CliSignIn } from './support/cliBundle';

const PUBLIC_CLIENT = 'mcp-cli-preregistered';
const CI_CLIENT = 'mcp-ci-machine';
const CI_SECRET = `ci-secret-${randomBytes(16).toString('hex')}`;

/**
 * What a new user hits in the first week, run as real CLI processes against the fixture authorization
 * server (oidc-provider) and tickets MCP server: an IdP without open registration and a pre-registered
 * client, runs with nobody to complete a sign-in, an expiring deadline, and an AS that forgot our
 * dynamic registration.
 */
describe('mcp-secure CLI in the real world (real AS, real MCP server, real processes)', function () {
  this.timeout(120_000);
  let dir: string;
  let cli: string;
  const storeKey = randomBytes(32).toString('hex');

  before(async () => {
    ({ dir, cli } = await bundleCli('mcp-secure-cli-rw-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  function start(args: string[], storePath: string, env: Record<string, string> = {}): CliSignIn {
    return startCliSignIn(cli, [...args, '--store', `file:${storePath}`], { ...env, MCP_SECURE_STORE_KEY: storeKey });
  }

  async function login(
    demo: DemoServers,
    storePath: string,
    extra: string[] = [],
  ): Promise<{ result: CliRun; url: URL }> {
    const run = start(['login', demo.httpMcpUrl, '--scope', 'tickets:read', ...extra], storePath);
    const url = await run.authorizationUrl();
    await completeAuthorizationWithForms(url, demo.users[0] as { username: string; password: string });
    return { result: await run.done, url };
  }

  /** Makes the stored grant of the server expired, as an hour later would (the token then needs refreshing). */
  async function expireStoredGrant(storePath: string): Promise<string> {
    const store = await FileSecretStore.open(storePath, storeKey);
    const key = (await store.keys()).find((k) => k.startsWith('mcpSecure.oauth.grant.'));
    assert.ok(key, 'a grant is stored');
    const grant = JSON.parse((await store.get(key)) as string) as { expiresAt?: number; refreshToken?: string };
    grant.expiresAt = Date.now() - 1000;
    await store.store(key, JSON.stringify(grant));
    assert.ok(grant.refreshToken, 'the grant has a refresh token');
    return grant.refreshToken;
  }

  describe('an IdP without open registration and a pre-registered public client', () => {
    let demo: DemoServers;
    const storePath = (): string => join(dir, 'prereg.store');
    before(async () => {
      demo = await startDemoServers({
        auth: {
          dynamicRegistration: false,
          clients: [
            {
              client_id: PUBLIC_CLIENT,
              token_endpoint_auth_method: 'none',
              application_type: 'native',
              redirect_uris: ['http://127.0.0.1/callback'],
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code'],
            },
            {
              client_id: CI_CLIENT,
              client_secret: CI_SECRET,
              token_endpoint_auth_method: 'client_secret_basic',
              redirect_uris: [],
              grant_types: ['client_credentials'],
              response_types: [],
            },
          ],
        },
      });
    });
    after(() => demo?.close());

    it('the first refusal says how to proceed: which redirect URI to register and --client-id', async () => {
      const r = await start(['tools', demo.httpMcpUrl, '--json'], storePath()).done;
      assert.equal(r.code, 2, r.stderr);
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'registration_failed');
      assert.match(error.message, /redirect URI http:\/\/127\.0\.0\.1\/callback/);
      assert.match(error.message, /--client-id/);
    });

    it('--grant client_credentials signs a script in without a browser; the secret comes from the environment and is never printed', async () => {
      const r = await start(
        [
          'call',
          demo.httpMcpUrl,
          'list_tickets',
          '--args',
          '{}',
          '--grant',
          'client_credentials',
          '--client-id',
          CI_CLIENT,
          '--client-secret-env',
          'CI_SECRET',
          '--scope',
          'tickets:read',
          '--verbose',
        ],
        join(dir, 'ci.store'),
        { CI_SECRET },
      ).done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /T-2/);
      assert.ok(!`${r.stdout}${r.stderr}`.includes(CI_SECRET), 'the client secret was printed');
      const grants = demo.authServer.requestLog.filter((x) => x.grantType === 'client_credentials');
      assert.ok(
        grants.length === 1 && grants[0]?.clientId === CI_CLIENT && grants[0].status === 200,
        JSON.stringify(grants),
      );
    });

    it("after sign-in with --client-id, refresh and revocation use the grant's own client without repeating it", async () => {
      const { result } = await login(demo, storePath(), ['--client-id', PUBLIC_CLIENT]);
      assert.equal(result.code, 0, result.stderr);
      const refreshToken = await expireStoredGrant(storePath());
      const tools = await start(['tools', demo.httpMcpUrl], storePath()).done;
      assert.equal(tools.code, 0, tools.stderr);
      assert.match(tools.stdout, /list_tickets/);
      const refreshes = demo.authServer.requestLog.filter((r) => r.grantType === 'refresh_token');
      assert.ok(
        refreshes.length > 0 && refreshes.every((r) => r.clientId === PUBLIC_CLIENT && r.status === 200),
        JSON.stringify(refreshes),
      );
      assert.equal(
        await demo.authServer.refreshTokenStatus(refreshToken),
        'consumed',
        'the old refresh token was rotated',
      );
      const store = await FileSecretStore.open(storePath(), storeKey);
      const key = (await store.keys()).find((k) => k.startsWith('mcpSecure.oauth.grant.')) as string;
      const current = (JSON.parse((await store.get(key)) as string) as { refreshToken: string }).refreshToken;
      const out = await start(['logout', demo.httpMcpUrl], storePath()).done;
      assert.equal(out.code, 0, out.stderr);
      assert.equal(
        await demo.authServer.refreshTokenStatus(current),
        'unknown',
        'the refresh token was revoked at the AS',
      );
      const revocations = demo.authServer.requestLog.filter((r) => r.route === 'revocation');
      assert.ok(
        revocations.length > 0 && revocations.every((r) => r.clientId === PUBLIC_CLIENT),
        JSON.stringify(revocations),
      );
    });
  });

  describe('addresses, tool refusals and sessions', () => {
    it('an http://[::1]:port/mcp server is usable (its derived id no longer starts with "-")', async () => {
      const v6 = await startSessionServer('::1');
      try {
        const r = await start(['tools', v6.url], join(dir, 'v6.store')).done;
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^greet/m);
      } finally {
        await v6.close();
      }
    });

    it('a JSON-RPC error answer to tools/call is a tool error: exit 4, tool_call_rejected', async () => {
      const hostile = await startHostileServer('jsonrpc-error');
      try {
        const r = await start(['call', hostile.url, 'echo', '--args', '{}', '--json'], join(dir, 'rpc.store')).done;
        assert.equal(r.code, 4, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'tool_call_rejected');
      } finally {
        await hostile.close();
      }
    });

    it('ends its HTTP session with DELETE when the command finishes', async () => {
      const server = await startSessionServer();
      try {
        const r = await start(['call', server.url, 'greet', '--args', '{"name":"Ada"}'], join(dir, 'session.store'))
          .done;
        assert.equal(r.code, 0, r.stderr);
        const sessionIds = new Set(server.requests.map((x) => x.split(' ')[1]).filter((id) => id && id !== '-'));
        assert.equal(sessionIds.size, 1, server.requests.join('\n'));
        assert.ok(server.requests.includes(`DELETE ${[...sessionIds][0]}`), server.requests.join('\n'));
        assert.equal(server.openSessions(), 0);
      } finally {
        await server.close();
      }
    });
  });

  describe('messages that lead somewhere', () => {
    const json = async (args: string[]): Promise<{ code: number | null; error: { code: string; message: string } }> => {
      const r = await start([...args, '--json'], join(dir, 'messages.store')).done;
      return { code: r.code, error: (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error };
    };

    it('a server that is not running: "nothing is listening at host:port (connection refused)"', async () => {
      const port = await closedPort();
      for (const protocol of ['auto', '2025-11-25']) {
        const r = await json(['tools', `http://127.0.0.1:${port}/mcp`, '--protocol', protocol]);
        assert.equal(r.code, 3);
        assert.ok(
          r.error.message.includes(`Nothing is listening at 127.0.0.1:${port} (connection refused)`),
          r.error.message,
        );
      }
    });

    it('a wrong path gives the status and the URL', async () => {
      const server = createServer(
        (_req, res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wrong`;
      try {
        for (const protocol of ['auto', '2026-07-28']) {
          const r = await json(['tools', url, '--protocol', protocol]);
          assert.equal(r.code, 3);
          assert.ok(
            r.error.message.includes(url) && r.error.message.includes('HTTP 404') && r.error.message.includes('path'),
            r.error.message,
          );
        }
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });

    it('issuer mismatch names the issuer found; pkce_unsupported says how to proceed; a localhost resource suggests the URL', async () => {
      const server = await startMisconfiguredServer('issuer-mismatch');
      try {
        const mismatch = await json(['tools', server.url]);
        assert.equal(mismatch.error.code, 'issuer_mismatch');
        assert.ok(mismatch.error.message.includes('"https://issuer.example.net"'), mismatch.error.message);
        server.mode = 'no-pkce';
        const pkce = await json(['tools', server.url]);
        assert.equal(pkce.error.code, 'pkce_unsupported');
        assert.ok(
          pkce.error.message.includes('--pkce assume-s256') &&
            pkce.error.message.includes('"oauth.pkce": "assume-s256"') &&
            /risk/.test(pkce.error.message),
          pkce.error.message,
        );
        server.mode = 'resource-localhost';
        const resource = await json(['tools', server.url]);
        assert.equal(resource.error.code, 'resource_mismatch');
        assert.ok(
          resource.error.message.includes(`use the URL ${server.url.replace('127.0.0.1', 'localhost')}`),
          resource.error.message,
        );
      } finally {
        await server.close();
      }
    });
  });

  describe("parity with the extension's per-server settings", () => {
    it('--env gives a stdio server its own configuration (here: which variable holds the secret)', async () => {
      const { command, args } = stdioServerCommand();
      const stdio = ['--secret-env', 'NOTES_SECRET', '--stdio', '--', command, ...args];
      const without = await start(['tools', ...stdio], join(dir, 'env.store')).done;
      assert.equal(without.code, 3, 'the server looks for MCP_SHARED_SECRET unless configured');
      const configured = await start(
        ['tools', '--env', 'MCP_SECRET_ENV_VAR=NOTES_SECRET', ...stdio],
        join(dir, 'env.store'),
      ).done;
      assert.equal(configured.code, 0, configured.stderr);
      assert.match(configured.stdout, /^echo/m);
    });

    it('an image and a resource link in a result are shown with their MIME type, size and URI', async () => {
      const { command, args } = stdioServerCommand();
      const r = await start(['call', 'picture', '--stdio', '--', command, ...args], join(dir, 'picture.store')).done;
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), [
        '[image image/png, 70 bytes]',
        '[link] pixel.png: https://example.com/pictures/pixel.png (image/png)',
      ]);
    });

    it('--pkce assume-s256 passes an AS that does not advertise PKCE (the refusal names the flag)', async () => {
      const server = await startMisconfiguredServer('no-pkce');
      try {
        const refused = await start(['tools', server.url, '--json'], join(dir, 'pkce.store')).done;
        assert.equal((JSON.parse(refused.stdout) as { error: { code: string } }).error.code, 'pkce_unsupported');
        const assumed = await start(['tools', server.url, '--json', '--pkce', 'assume-s256'], join(dir, 'pkce.store'))
          .done;
        // Past the PKCE check, the sign-in needs a browser, which this run does not have.
        assert.equal(
          (JSON.parse(assumed.stdout) as { error: { code: string } }).error.code,
          'not_signed_in',
          assumed.stdout,
        );
      } finally {
        await server.close();
      }
    });

    it('--resource-parameter omit signs in without the RFC 8707 resource parameter', async () => {
      const demo = await startDemoServers();
      try {
        const { result, url } = await login(demo, join(dir, 'omit.store'), ['--resource-parameter', 'omit']);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(url.searchParams.get('resource'), null);
        const token = demo.authServer.requestLog.filter(
          (r) => r.route === 'token' && r.grantType === 'authorization_code',
        );
        assert.ok(token.length === 1 && token[0]?.resource === undefined, JSON.stringify(token));
      } finally {
        await demo.close();
      }
    });
  });

  describe('short-lived tokens and a grant narrower than the request', () => {
    let demo: DemoServers;
    before(async () => {
      demo = await startDemoServers({ auth: { accessTokenTtlSeconds: 40 } });
    });
    after(() => demo?.close());

    it('a 40 s token is not refreshed before every request; a refresh asks for the granted scopes, not the requested ones', async () => {
      const storePath = join(dir, 'short.store');
      const { result } = await login(demo, storePath, ['--scope', 'tickets:admin']);
      assert.equal(result.code, 0, result.stderr);
      const who = JSON.parse((await start(['whoami', demo.httpMcpUrl, '--json'], storePath).done).stdout) as {
        grantedScopes: string[];
        requestedScopes: string[];
      };
      assert.ok(
        who.requestedScopes.includes('tickets:admin') && !who.grantedScopes.includes('tickets:admin'),
        JSON.stringify(who),
      );
      const tools = await start(['tools', demo.httpMcpUrl], storePath).done;
      assert.equal(tools.code, 0, tools.stderr);
      assert.equal(
        demo.authServer.requestLog.filter((r) => r.grantType === 'refresh_token').length,
        0,
        'a fresh 40 s token was used as is',
      );
      await expireStoredGrant(storePath);
      const again = await start(['tools', demo.httpMcpUrl], storePath).done;
      assert.equal(again.code, 0, again.stderr);
      const refreshes = demo.authServer.requestLog.filter((r) => r.grantType === 'refresh_token');
      assert.equal(refreshes.length, 1, JSON.stringify(refreshes));
      assert.equal(refreshes[0]?.status, 200);
      assert.deepEqual(refreshes[0]?.scope?.split(' ').sort(), [...who.grantedScopes, 'offline_access'].sort());
    });
  });

  describe('with open registration', () => {
    let demo: DemoServers;
    before(async () => {
      demo = await startDemoServers();
    });
    after(() => demo?.close());

    it('with nobody to complete a sign-in (no terminal, no opener), tools fails at once and says to run login', async () => {
      const r = await start(['tools', demo.httpMcpUrl, '--json', '--timeout', '30000'], join(dir, 'nobody.store')).done;
      assert.equal(r.code, 2, r.stderr);
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'not_signed_in');
      assert.ok(error.message.includes(`mcp-secure login ${demo.httpMcpUrl}`), error.message);
      assert.equal(
        demo.authServer.requestLog.filter((x) => x.route === 'authorization').length,
        0,
        'no authorization request was left pending',
      );
    });

    it('a deadline that expires during sign-in says "timed out after N s" and exits 2 as documented', async () => {
      // An opener that opens nothing: the sign-in is started and never completed.
      const r = await start(
        ['tools', demo.httpMcpUrl, '--json', '--timeout', '3000', '--open-with', `${process.execPath} -e 0`],
        join(dir, 'deadline.store'),
      ).done;
      assert.equal(r.code, 2, r.stderr);
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'authorization_timeout');
      assert.match(error.message, /Timed out after 3 s/);
    });

    it('$BROWSER opens the sign-in when --open-with is absent', async () => {
      const opened = join(dir, 'opened.txt');
      const script = join(dir, 'record-url.js');
      await fs.writeFile(script, `require('fs').writeFileSync(${JSON.stringify(opened)}, process.argv[2]);\n`);
      const run = start(['tools', demo.httpMcpUrl, '--timeout', '60000'], join(dir, 'browser.store'), {
        BROWSER: `${process.execPath} ${script}`,
      });
      const url = await waitForFile(opened);
      await completeAuthorizationWithForms(new URL(url), demo.users[0] as { username: string; password: string });
      const r = await run.done;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /list_tickets/);
    });

    it('OIDC offline_access is asked with prompt=consent (OIDC Core §11), so the default provider issues a refresh token', async () => {
      const storePath = join(dir, 'offline.store');
      const { result, url } = await login(demo, storePath);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(url.searchParams.get('scope')?.split(' ').includes('offline_access'), url.href);
      assert.equal(url.searchParams.get('prompt'), 'consent');
      const who = await start(['whoami', demo.httpMcpUrl, '--json'], storePath).done;
      assert.equal(who.code, 0, who.stderr);
      assert.equal(
        (JSON.parse(who.stdout) as { hasRefreshToken: boolean }).hasRefreshToken,
        true,
        'the grant can be refreshed after the hour',
      );
    });

    it('logout says exactly what was revoked and until when the unrevocable JWT access token stays valid', async () => {
      const storePath = join(dir, 'offline.store');
      const out = await start(['logout', demo.httpMcpUrl], storePath).done;
      assert.equal(out.code, 0, out.stderr);
      assert.ok(out.stdout.includes(`Revoked at ${demo.issuer}: the refresh token.`), out.stdout);
      assert.match(
        out.stdout,
        /The access token was not revoked \(the authorization server does not revoke this kind of token\) and stays valid until \d{4}-\d\d-\d\dT/,
      );
      assert.doesNotMatch(out.stdout, /access token\.? was revoked|revoked: .*access token/i);
    });

    it('a dynamic registration the AS forgot is detected, dropped and registered again; logout --forget-client forgets it', async () => {
      const storePath = join(dir, 'forgotten.store');
      const first = await login(demo, storePath);
      assert.equal(first.result.code, 0, first.result.stderr);
      const oldClient = first.url.searchParams.get('client_id') as string;
      await demo.authServer.forgetClient(oldClient);
      const second = await login(demo, storePath);
      assert.equal(second.result.code, 0, second.result.stderr);
      const newClient = second.url.searchParams.get('client_id') as string;
      assert.notEqual(newClient, oldClient, 'the sign-in used a new registration');
      const forget = await start(['logout', demo.httpMcpUrl, '--forget-client', '--json'], storePath).done;
      assert.equal(forget.code, 0, forget.stderr);
      assert.deepEqual((JSON.parse(forget.stdout) as { forgottenRegistrations: string[] }).forgottenRegistrations, [
        demo.issuer,
      ]);
      const third = await login(demo, storePath);
      assert.equal(third.result.code, 0, third.result.stderr);
      const thirdClient = third.url.searchParams.get('client_id') as string;
      assert.ok(
        thirdClient !== newClient && thirdClient !== oldClient,
        'after --forget-client the next sign-in registers again',
      );
    });
  });
});

async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const text = await fs.readFile(path, 'utf8').catch(() => '');
    if (text) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} was never written`);
}
