/**
 * "Check Server Security" (issue 12, item 2) against real servers: the fixture authorization server
 * (oidc-provider) with the tickets MCP server, before and after a real sign-in, and a deliberately weak
 * server. Verdicts are asserted per check; the report never carries a token.
 */
import assert from 'node:assert/strict';
import { Redactor } from '../../../src/core/common/redaction';
import { checkServerSecurity } from '../../../src/core/security/securityCheck';
import { type GrantEvidence, grantEvidence, grantFindings } from '../../../src/core/security/grantChecks';
import {
  type CheckId,
  type SecurityReport,
  type Verdict,
  buildReport,
  finding,
} from '../../../src/core/security/securityReport';
import { codeSpan, securityReportMarkdown, securityReportText } from '../../../src/core/security/securityReportFormat';
import { startE2eWorld, type E2eWorld } from '../e2e/e2eWorld';
import { startWeakServer, type WeakServer } from './support/weakServer';

/** The CLI prints through the redactor: the report's own words must come out as written (nothing secret-shaped). */
function assertSurvivesRedaction(report: SecurityReport): void {
  const redactor = new Redactor();
  for (const text of [securityReportText(report), JSON.stringify(report, null, 2)])
    assert.equal(redactor.redactText(text), text);
}

function verdicts(report: SecurityReport): Partial<Record<CheckId, Verdict>> {
  return Object.fromEntries(report.findings.map((f) => [f.id, f.verdict]));
}

describe('checkServerSecurity: the fixture authorization server and tickets server', function () {
  this.timeout(60_000);
  let world: E2eWorld;
  before(async () => {
    world = await startE2eWorld({ driver: 'forms' });
  });
  after(async () => world?.close());

  it('passes every metadata check before sign-in and leaves the grant checks for later', async () => {
    const report = await checkServerSecurity({ server: world.httpServer });
    assert.deepEqual(verdicts(report), {
      tls: 'warn',
      challenge: 'pass',
      prm: 'pass',
      resource: 'pass',
      asMetadata: 'pass',
      issuer: 'pass',
      pkce: 'pass',
      iss: 'pass',
      registration: 'pass',
      dpop: 'pass',
      revocation: 'pass',
      refresh: 'pass',
      audience: 'skip',
      scopes: 'skip',
    });
    const prm = report.findings.find((f) => f.id === 'prm')!;
    assert.match(prm.summary, /WWW-Authenticate challenge/);
    assert.ok(prm.observed.some((o) => o.label === 'Authorization server' && o.value === world.demo.issuer));
    assert.equal(report.findings.find((f) => f.id === 'issuer')!.observed[0]!.value, world.demo.issuer);
    assert.deepEqual(report.counts, { passed: 11, warned: 1, failed: 0, skipped: 2 });
  });

  it('after a real sign-in, reports the token audience, the granted scopes and the refresh policy — never the token', async () => {
    const grant = await world.engine.signIn(world.httpServer);
    const token = await world.engine.storedAccessToken(world.httpServer);
    assert.ok(token);
    const evidence = grantEvidence(grant, token);
    assert.deepEqual(evidence.audience, [world.demo.httpResource]);
    const report = await checkServerSecurity({ server: world.httpServer, grant: evidence });
    assert.equal(verdicts(report).audience, 'pass');
    assert.equal(verdicts(report).scopes, 'pass');
    assert.equal(verdicts(report).refresh, 'pass');
    const scopes = report.findings.find((f) => f.id === 'scopes')!;
    assert.equal(scopes.observed.find((o) => o.label === 'Granted')!.value, grant.grantedScopes.join(', '));
    const everything = [JSON.stringify(report), securityReportMarkdown(report), securityReportText(report)].join('\n');
    const refresh = world.tokenResponses.at(-1)?.refresh_token;
    assert.ok(!everything.includes(token), 'the access token must not appear in the report');
    assert.ok(refresh && !everything.includes(refresh), 'the refresh token must not appear in the report');
    assertSurvivesRedaction(report);
  });
});

describe('checkServerSecurity: a deliberately weak server', () => {
  const servers: WeakServer[] = [];
  async function weak(config: Parameters<typeof startWeakServer>[0] = {}): Promise<WeakServer> {
    const s = await startWeakServer(config);
    servers.push(s);
    return s;
  }
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('fails PKCE, warns on missing iss support, revocation, DPoP and the bare challenge', async () => {
    const s = await weak();
    const report = await checkServerSecurity({ server: { id: 'weak', url: s.mcpUrl } });
    assert.deepEqual(verdicts(report), {
      tls: 'warn',
      challenge: 'warn',
      prm: 'pass',
      resource: 'pass',
      asMetadata: 'pass',
      issuer: 'pass',
      pkce: 'fail',
      iss: 'warn',
      registration: 'pass',
      dpop: 'warn',
      revocation: 'warn',
      refresh: 'skip',
      audience: 'skip',
      scopes: 'skip',
    });
    const pkce = report.findings.find((f) => f.id === 'pkce')!;
    assert.match(pkce.advice ?? '', /code_challenge_methods_supported/);
    assert.match(pkce.spec, /RFC 7636/);
    assert.ok(
      s.requests.every((r) => r.authorization === undefined),
      'the check sends no credentials',
    );
    assert.ok(!s.requests.some((r) => r.path === '/register'), 'the check registers nothing');
    assertSurvivesRedaction(report);
  });

  it('turns PKCE into a warning when the server definition overrides it', async () => {
    const s = await weak();
    const report = await checkServerSecurity({
      server: { id: 'weak', url: s.mcpUrl, options: { pkce: 'assume-s256' } },
    });
    assert.equal(verdicts(report).pkce, 'warn');
  });

  it('fails the issuer check when the metadata names another issuer', async () => {
    const s = await weak({ metadataIssuer: 'https://other.example.com' });
    const report = await checkServerSecurity({ server: { id: 'weak', url: s.mcpUrl } });
    assert.equal(verdicts(report).issuer, 'fail');
    assert.equal(verdicts(report).pkce, 'skip');
  });

  it('fails the resource binding when the metadata names another resource', async () => {
    const s = await weak({ prmResource: 'http://127.0.0.1:1/elsewhere' });
    const report = await checkServerSecurity({ server: { id: 'weak', url: s.mcpUrl } });
    assert.equal(verdicts(report).resource, 'fail');
    assert.equal(verdicts(report).asMetadata, 'skip');
  });

  it('fails registration when there is no client, no CIMD and no registration endpoint', async () => {
    const s = await weak({ noRegistration: true });
    const report = await checkServerSecurity({ server: { id: 'weak', url: s.mcpUrl } });
    assert.equal(verdicts(report).registration, 'fail');
    const configured = await checkServerSecurity({
      server: { id: 'weak', url: s.mcpUrl, options: { clientId: 'pre-registered' } },
    });
    assert.equal(verdicts(configured).registration, 'pass');
  });

  it('fails the missing protected resource metadata and still checks the 2025-03-26 fallback', async () => {
    const s = await weak({ noPrm: true });
    const report = await checkServerSecurity({ server: { id: 'weak', url: s.mcpUrl } });
    assert.equal(verdicts(report).prm, 'fail');
    assert.equal(verdicts(report).resource, 'warn');
    assert.equal(verdicts(report).asMetadata, 'pass');
    assert.equal(verdicts(report).pkce, 'fail');
  });

  it('fails TLS for a plain-http remote server without sending anything', async () => {
    const report = await checkServerSecurity({ server: { id: 'remote', url: 'http://mcp.example.com/mcp' } });
    assert.equal(verdicts(report).tls, 'fail');
    assert.equal(report.findings.length, 1);
  });
});

describe('grant checks', () => {
  const base = {
    resource: 'https://mcp.example.com/mcp',
    grantedScopes: ['read'],
    requestedScopes: ['read'],
    tokenType: 'Bearer',
    hasRefreshToken: true,
  };
  const unsignedJwt = (claims: Record<string, unknown>): string =>
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
  const now = Date.now();
  const ctx = { resource: base.resource, now };

  it('fails a token whose audience is another server, warns on an opaque one, passes its own', () => {
    const evidence = (aud: unknown): GrantEvidence =>
      grantEvidence({ ...base, expiresAt: now + 3_600_000 }, aud === undefined ? 'opaque-token' : unsignedJwt({ aud }));
    assert.deepEqual(evidence('https://other.example.com/').audience, ['https://other.example.com/']);
    assert.equal(evidence(undefined).audience, undefined);
    const v = (aud: unknown): Verdict => grantFindings(evidence(aud), ctx).find((f) => f.id === 'audience')!.verdict;
    assert.equal(v('https://other.example.com/'), 'fail');
    assert.equal(v(undefined), 'warn');
    assert.equal(v('https://mcp.example.com/mcp'), 'pass');
    assert.equal(v(['https://mcp.example.com/']), 'pass');
  });

  it('warns on scopes beyond the request, a long-lived token and a missing refresh token', () => {
    const v = (over: Partial<typeof base> & { expiresAt?: number }, id: CheckId): Verdict =>
      grantFindings(grantEvidence({ ...base, expiresAt: now + 600_000, ...over }, undefined), ctx).find(
        (f) => f.id === id,
      )!.verdict;
    assert.equal(v({ grantedScopes: ['read', 'admin'] }, 'scopes'), 'warn');
    assert.equal(v({ grantedScopes: [], requestedScopes: ['read', 'write'] }, 'scopes'), 'pass');
    assert.equal(v({ expiresAt: now + 7 * 24 * 3_600_000 }, 'refresh'), 'warn');
    assert.equal(v({ hasRefreshToken: false }, 'refresh'), 'warn');
    assert.equal(v({}, 'refresh'), 'pass');
  });
});

describe('security report formats', () => {
  it('puts hostile server values in code spans: no link, no HTML, no command URI survives as markup', () => {
    const hostile =
      '<img src=x onerror=alert(1)> [click](command:workbench.action.terminal.new) ``tick`` https://evil.example.com';
    const report = buildReport('s', 'https://mcp.example.com/mcp', new Date(0), [
      finding('prm', 'pass', 'Found.', [{ label: 'URL', value: hostile }]),
    ]);
    const md = securityReportMarkdown(report);
    const line = md.split('\n').find((l) => l.startsWith('- URL:'))!;
    assert.equal(line, `- URL: \`\`\`${hostile}\`\`\``);
    assert.equal(codeSpan('`a`'), '`` `a` ``');
    assert.equal(codeSpan('a\u202Eb\u0007'), '`a b `');
  });
});
