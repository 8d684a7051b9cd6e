/**
 * Canary: secrets planted where the core keeps them — a refresh token in the SecretStore, a client
 * secret in the server options, the stdio shared secret — must never appear in any log line or in any
 * error (message, stack, cause chain), even when the AS rejects them.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { isMcpSecureError, McpSecureError } from '../../../src/core/errors';
import { registerNativeClient } from '../fixtures/oauthTestClient';
import { errorText, startE2eWorld, type E2eWorld } from './e2eWorld';

const CANARY_REFRESH = `canary-refresh-${randomBytes(12).toString('hex')}`;
const CANARY_CLIENT_SECRET = `canary-client-secret-${randomBytes(12).toString('hex')}`;
const CANARY_STORED_SECRET = `canary-stored-secret-${randomBytes(12).toString('hex')}`;

describe('e2e canary: planted secrets never leak into logs or errors', function () {
  this.timeout(60_000);
  let w: E2eWorld;
  const errors: unknown[] = [];

  before(async () => {
    w = await startE2eWorld({ driver: 'forms' });
  });
  after(async () => {
    if (!w) return;
    await w.close();
    const everything = [w.logger.text(), ...errors.map(errorText), JSON.stringify(w.observer.records)].join('\n');
    for (const canary of [CANARY_REFRESH, CANARY_CLIENT_SECRET, CANARY_STORED_SECRET, w.stdioSecret]) {
      assert.ok(!everything.includes(canary), 'a planted secret leaked');
    }
  });

  it('the leak check itself sees secrets anywhere in an error chain', () => {
    const nested = new McpSecureError('internal', 'outer', { cause: new Error(`inner ${CANARY_REFRESH}`) });
    assert.ok(errorText(nested).includes(CANARY_REFRESH));
  });

  it('a refresh token planted in the store is refused by the AS without being echoed', async () => {
    await w.engine.signIn(w.httpServer, { scopes: ['tickets:read'] });
    const real = w.tokenResponses.at(-1)?.refresh_token;
    assert.ok(real, 'signed in with a refresh token');
    let planted = 0;
    for (const key of w.secrets.keys()) {
      const value = await w.secrets.get(key);
      if (value?.includes(real)) {
        await w.secrets.store(key, value.split(real).join(CANARY_REFRESH));
        planted++;
      }
    }
    assert.ok(planted > 0, 'the refresh token lives in the SecretStore');
    const grant = (await w.engine.getGrant(w.httpServer))!;
    w.clock.advance((grant.expiresAt ?? w.clock.now()) - w.clock.now() + 1);
    const err = await w.engine.getAccessToken(w.httpServer).then(
      () => undefined,
      (e: unknown) => e,
    );
    errors.push(err);
    assert.ok(
      isMcpSecureError(err, 'refresh_failed_permanent'),
      `expected refresh_failed_permanent, got ${errorText(err).slice(0, 200)}`,
    );
    assert.ok(
      w.demo.authServer.requestLog.some((r) => r.grantType === 'refresh_token' && r.status >= 400),
      'the AS saw and refused the planted token',
    );
  });

  it('a wrong client secret for a pre-registered client fails the token request without being echoed', async () => {
    const registered = await registerNativeClient(w.demo.issuer, {
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: CANDIDATE_REDIRECTS,
    });
    const server = {
      ...w.httpServer,
      id: 'tickets-confidential',
      options: { clientId: registered.clientMetadata().client_id, clientSecret: CANARY_CLIENT_SECRET },
    };
    await signInRefusedByTokenEndpoint(server);
    assert.ok(
      w.demo.authServer.requestLog.some((r) => r.route === 'token' && r.status === 401),
      'the AS refused the client',
    );
  });

  it('a client secret planted in the stored registration is sent, refused, and never echoed', async () => {
    // The engine keeps dynamically registered clients in the SecretStore by issuer (RegisteredClient JSON).
    const confidential = await registerNativeClient(w.demo.issuer, {
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: CANDIDATE_REDIRECTS,
    });
    const key = w.secrets.keys().find((k) => k.includes('client') && k.includes(encodeURIComponent(w.demo.issuer)));
    assert.ok(key, 'the registered client is in the SecretStore');
    const stored = JSON.parse((await w.secrets.get(key))!) as Record<string, unknown>;
    await w.secrets.store(
      key,
      JSON.stringify({
        ...stored,
        clientId: confidential.clientMetadata().client_id,
        clientSecret: CANARY_STORED_SECRET,
        tokenEndpointAuthMethod: 'client_secret_post',
      }),
    );
    const before = w.demo.authServer.requestLog.length;
    await signInRefusedByTokenEndpoint({ ...w.httpServer, id: 'tickets-again' });
    assert.ok(
      w.demo.authServer.requestLog.slice(before).some((r) => r.route === 'token' && r.status === 401),
      'the AS refused the planted secret',
    );
  });

  /** Signs in to `server`, expecting the token endpoint to refuse it; the error joins the canary check. */
  async function signInRefusedByTokenEndpoint(server: typeof w.httpServer): Promise<void> {
    const err = await w.engine.signIn(server, { scopes: ['tickets:read'] }).then(
      () => assert.fail('must fail'),
      (e: unknown) => e,
    );
    errors.push(err);
    assert.ok(
      isMcpSecureError(err, 'token_request_failed'),
      `expected token_request_failed, got ${errorText(err).slice(0, 200)}`,
    );
  }

  it('the stdio secret stays out of logs on success and on refusal', async () => {
    const conn = await w.manager.connect(w.stdio('both'));
    await conn.callTool('echo', { text: 'hi' }, { caller: 'test' });
    const err = await w.manager.connect(w.stdio('env')).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err, 'refused without the handshake secret');
    errors.push(err);
  });
});

/** Loopback redirect paths a native client may use (RFC 8252 §7.3; the port varies at runtime). */
const CANDIDATE_REDIRECTS = ['/callback', '/oauth/callback', '/oauth2/callback', '/auth/callback', '/'].map(
  (p) => `http://127.0.0.1${p}`,
);
