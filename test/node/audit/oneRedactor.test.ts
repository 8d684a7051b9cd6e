import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { REDACTED, Redactor } from '../../../src/core/common/redaction';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { Output } from '../../../src/cli/output';
import { StderrLogger } from '../../../src/cli/stderrLogger';
import { openSecretStore } from '../../../src/cli/storeFactory';
import { OutputLogger } from '../../../src/vscode/outputLogger';
import { SecretStorageAdapter } from '../../../src/vscode/secretStorageAdapter';
import { makeContext, tempDir } from '../../support/auditHelpers';

/** Values only the shapes issue 7 item 10 names can catch (no entropy, no JWT, no known prefix). */
const SECRETS = {
  k8sEnv: 'hunter2-k8s-env',
  harCookie: 'sid=plainsession',
  harApiKey: 'har-api-key-value',
  pass: 'plainpass-value',
  underscoreKey: 'stripe-key-value',
  envKey: 'deploy-key-value',
  userinfo: 'pgpass-userinfo',
};

/** One payload with every shape, as a tool's arguments. */
function hostileArguments(canary: string): Record<string, unknown> {
  return {
    spec: {
      containers: [
        {
          env: [
            { name: 'DB_PASSWORD', value: SECRETS.k8sEnv },
            { name: 'LOG_LEVEL', value: 'debug' },
          ],
        },
      ],
    },
    har: {
      headers: [
        { name: 'Cookie', value: SECRETS.harCookie },
        { name: 'X-Api-Key', value: SECRETS.harApiKey },
        { name: 'Accept', value: 'text/html' },
      ],
    },
    login: { user: 'alice', pass: SECRETS.pass },
    config: { stripe_key: SECRETS.underscoreKey, region: 'eu' },
    script: `DEPLOY_KEY=${SECRETS.envKey} ./deploy.sh`,
    database: `postgres://app:${SECRETS.userinfo}@db.internal:5432/app`,
    note: `runtime secret ${canary}`,
  };
}

/** The same shapes as a log line or a printed message. */
function hostileLine(canary: string): string {
  return (
    `pass=${SECRETS.pass} stripe_key: ${SECRETS.underscoreKey} DEPLOY_KEY=${SECRETS.envKey} ` +
    `url postgres://app:${SECRETS.userinfo}@db.internal:5432/app env ${JSON.stringify(hostileArguments(canary).spec)} ` +
    `har ${JSON.stringify(hostileArguments(canary).har)} canary ${canary} level LOG_LEVEL=debug`
  );
}

function assertClean(text: string, canary: string, where: string): void {
  for (const [shape, secret] of Object.entries({ ...SECRETS, canary }))
    assert.ok(!text.includes(secret), `${shape} leaked into ${where}: ${text}`);
  assert.ok(text.includes(REDACTED), `${where} shows the one marker`);
  assert.ok(text.includes('db.internal:5432') && text.includes('debug'), `${where} keeps ordinary text`);
}

describe('one Redactor for audit, logs and CLI (issue 7 item 10)', () => {
  const canary = `canary-${randomBytes(16).toString('hex')}`;

  it('redacts every missed shape and a registered canary in an audit record on disk', async () => {
    const t = tempDir();
    const store = await AuditStore.open({ dir: join(t.dir, 'log') });
    try {
      const redactor = new Redactor();
      redactor.registerSecret(canary);
      const trail = new AuditTrail({ store, logger: new MemoryLogger(), redactor });
      trail.onToolCallEnd(
        makeContext({ arguments: hostileArguments(canary) }),
        { kind: 'tool_error', message: hostileLine(canary), resultSize: 1 },
        1,
      );
      await trail.flush();
      const onDisk = readdirSync(store.dir)
        .filter((n) => !n.startsWith('.'))
        .map((n) => readFileSync(join(store.dir, n), 'utf8'))
        .join('\n');
      assertClean(onDisk, canary, 'the audit file');
      assert.ok(
        onDisk.includes('"name":"DB_PASSWORD"') && onDisk.includes('"user":"alice"'),
        'names and non-secret fields stay',
      );
    } finally {
      await store.close();
      t.cleanup();
    }
  });

  it('redacts them in an editor log line, and registers every SecretStorage value (tokens, stdio secret) on the way', async () => {
    const lines: string[] = [];
    const channel = {
      info: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
    } as unknown as ConstructorParameters<typeof OutputLogger>[0];
    const redactor = new Redactor();
    const memory = new Map<string, string>();
    const storage = {
      get: async (k: string) => memory.get(k),
      store: async (k: string, v: string) => {
        memory.set(k, v);
      },
      delete: async (k: string) => {
        memory.delete(k);
      },
      onDidChange: () => ({ dispose: () => undefined }),
    } as unknown as ConstructorParameters<typeof SecretStorageAdapter>[0];
    const adapter = new SecretStorageAdapter(storage, (v) => redactor.registerSecret(v));
    const accessToken = `at-${randomBytes(6).toString('hex')}`;
    await adapter.store(
      'mcpSecure.oauth.grant.srv',
      JSON.stringify({ accessToken, refreshToken: canary, clientId: 'public-client', issuer: 'https://as.example' }),
    );
    const log = new OutputLogger(channel, redactor).child('oauth');
    log.info(hostileLine(canary));
    log.warn(`sent ${accessToken} to public-client at https://as.example`);
    assertClean(lines.join('\n'), canary, 'the output channel');
    assert.ok(
      !lines.join('\n').includes(accessToken) && lines.join('\n').includes('public-client'),
      'tokens registered, public ids kept',
    );
  });

  it('redacts them in CLI stderr log lines and printed output, with tokens from the CLI store registered', async () => {
    const printed: string[] = [];
    const redactor = new Redactor();
    const store = await openSecretStore({ kind: 'memory' }, undefined, redactor);
    await store.store('mcpSecure.oauth.grant.srv', JSON.stringify({ accessToken: canary, serverId: 'srv' }));
    new StderrLogger(redactor, 'info', '', (l) => printed.push(l)).info(hostileLine('x'), hostileArguments('x'));
    const output = new Output(
      true,
      redactor,
      (t) => printed.push(t),
      (t) => printed.push(t),
    );
    output.result(hostileArguments(canary), '');
    output.failure(new Error(hostileLine(canary)));
    assertClean(printed.join('\n'), canary, 'CLI output');
  });
});
