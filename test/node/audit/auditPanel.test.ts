import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { MemoryLogger, MemorySecretStore } from '../../../src/core/memoryPorts';
import { AuditExportController } from '../../../src/vscode/audit/auditExportController';
import { AuditPanelBackend } from '../../../src/vscode/audit/auditPanelBackend';
import { auditPanelHtml } from '../../../src/vscode/audit/auditPanelHtml';
import { AuditApp } from '../../../src/webview/auditApp';
import type { HostToWebview, RowDto, WebviewToHost } from '../../../src/webview/protocol';
import { RpcClient } from '../../../src/webview/rpcClient';
import { makeContext, tempDir, waitFor } from '../../support/auditHelpers';

const HOSTILE = [
  '<img src=x onerror="globalThis.__pwned=1">',
  '<script>globalThis.__pwned=1</script>',
  '"><svg onload=globalThis.__pwned=1>',
  '<a href="javascript:globalThis.__pwned=1">x</a>',
];

interface Harness {
  window: Window;
  root: HTMLElement;
  app: AuditApp;
  posted: string[];
  sent: WebviewToHost[];
}

/** The real webview app in happy-dom, wired to a host through JSON-cloned messages (like postMessage). */
function mountApp(host: (m: WebviewToHost, reply: (m: HostToWebview) => void) => void): Harness {
  const window = new Window({ url: 'https://webview.invalid/', settings: { enableJavaScriptEvaluation: true } });
  const document = window.document as unknown as Document;
  const root = document.createElement('div');
  document.body.appendChild(root);
  const posted: string[] = [];
  const sent: WebviewToHost[] = [];
  let listener: (m: unknown) => void = () => undefined;
  const toWebview = (m: HostToWebview): void => {
    const json = JSON.stringify(m);
    posted.push(json);
    setImmediate(() => listener(JSON.parse(json)));
  };
  const rpc = new RpcClient({
    postMessage: (m) => {
      const copy = JSON.parse(JSON.stringify(m)) as WebviewToHost;
      sent.push(copy);
      setImmediate(() => host(copy, toWebview));
    },
    onMessage: (l) => {
      listener = l;
    },
  });
  return { window, root, app: new AuditApp(root, rpc), posted, sent };
}

function rowTexts(root: HTMLElement): string[][] {
  return [...root.querySelectorAll('.rows .row')].map((r) =>
    [...r.querySelectorAll('.cell')].map((c) => c.textContent ?? ''),
  );
}

describe('audit panel (webview + host backend)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: AuditStore;
  let trail: AuditTrail;
  let backend: AuditPanelBackend | undefined;
  let h: Harness | undefined;
  beforeEach(async () => {
    t = tempDir();
    store = await AuditStore.open({ dir: t.dir });
    trail = new AuditTrail({ store, logger: new MemoryLogger() });
  });
  afterEach(async () => {
    backend?.dispose();
    await h?.window.happyDOM.close();
    await store.close();
    t.cleanup();
  });

  /** The real webview app in happy-dom talking to the real backend (messages JSON-cloned like postMessage). */
  function mountWithBackend(confirmClear: boolean, exporter?: AuditExportController): Harness {
    backend = new AuditPanelBackend(
      trail,
      new MemoryLogger(),
      {
        pickExportTarget: async (format) => join(t.dir, `export.${format}`),
        confirmClear: async () => confirmClear,
        notify: () => undefined,
      },
      exporter,
    );
    const posted: string[] = [];
    const sent: WebviewToHost[] = [];
    let deliver: (m: unknown) => void = () => undefined;
    backend.onDidPost((m) => {
      const json = JSON.stringify(m);
      posted.push(json);
      setImmediate(() => deliver(JSON.parse(json)));
    });
    const window = new Window({ url: 'https://webview.invalid/', settings: { enableJavaScriptEvaluation: true } });
    const document = window.document as unknown as Document;
    const root = document.createElement('div');
    document.body.appendChild(root);
    const rpc = new RpcClient({
      postMessage: (m) => {
        const copy = JSON.parse(JSON.stringify(m)) as WebviewToHost;
        sent.push(copy);
        void backend!.handle(copy);
      },
      onMessage: (l) => {
        deliver = l;
      },
    });
    return { window, root, app: new AuditApp(root, rpc), posted, sent };
  }

  it('renders hostile tool names, arguments and errors as literal text; nothing executes; a canary never reaches the webview', async () => {
    const canary = `canary-${randomBytes(18).toString('base64url')}`;
    trail.redactor.registerSecret(canary);
    HOSTILE.forEach((evil, i) =>
      trail.onToolCallEnd(
        makeContext({
          tool: evil,
          server: { ...makeContext().server, name: evil },
          human: { displayName: evil, subject: evil },
          arguments: { html: evil, secret: canary, note: `x ${canary}` },
        }),
        { kind: 'tool_error', message: `${evil} ${canary}`, resultSize: i },
        i,
      ),
    );
    await trail.flush();
    h = mountWithBackend(true);
    const { root, app, posted, window } = h;
    await app.start();
    await waitFor(() => rowTexts(root).filter((r) => r[2] !== '').length === HOSTILE.length, 10_000, 'rows');
    const tools = rowTexts(root)
      .map((r) => r[2])
      .sort();
    assert.deepEqual(tools, [...HOSTILE].sort(), 'tool names shown literally');
    assert.deepEqual(
      rowTexts(root)
        .map((r) => r[1])
        .sort(),
      [...HOSTILE].sort(),
      'server names shown literally',
    );
    (root.querySelector('.rows .row') as HTMLElement).click();
    await waitFor(() => root.querySelector('.details pre.arguments') !== null, 10_000, 'details');
    const details = root.querySelector('.details') as HTMLElement;
    assert.ok(
      HOSTILE.some((evil) =>
        (details.querySelector('pre.arguments')?.textContent ?? '').includes(JSON.stringify(evil)),
      ),
      'arguments shown literally (as JSON)',
    );
    assert.ok(
      HOSTILE.some((evil) => details.textContent!.includes(`${evil} [REDACTED]`)),
      'error shown literally, canary redacted',
    );
    assert.equal(
      root.querySelectorAll('script, img, svg:not(.timeline-svg), iframe, a, [onerror], [onload]').length,
      0,
      'no markup was created from data',
    );
    const chartTags = new Set([...root.querySelectorAll('.timeline-svg *')].map((e) => e.tagName.toLowerCase()));
    assert.deepEqual(
      [...chartTags].filter((tag) => !['g', 'rect', 'text', 'line', 'title'].includes(tag)),
      [],
      'the chart is drawn from numbers only',
    );
    await waitFor(
      () => root.querySelectorAll('.breakdown .tool button.slice').length === HOSTILE.length,
      10_000,
      'tool breakdown',
    );
    assert.deepEqual(
      [...root.querySelectorAll('.breakdown .tool .slice .name')].map((n) => n.textContent).sort(),
      [...HOSTILE].sort(),
      'tool names in the breakdown shown literally',
    );
    assert.equal((window as unknown as { __pwned?: number }).__pwned, undefined);
    assert.ok(posted.length > 0);
    assert.ok(!posted.join('\n').includes(canary), 'canary in a webview payload');
    assert.ok(!readFileSync(join(t.dir, 'audit-00000001.jsonl'), 'utf8').includes(canary), 'canary in the file');
  });

  it('shows the identities of a record as they are: a random client_id or subject is not a secret', async () => {
    // Dynamically registered client ids and IdP subjects are long random strings: exactly the shape the
    // value redactor hides. Hiding them would leave the record without its "who".
    const clientId = randomBytes(32).toString('base64url');
    const subject = randomBytes(24).toString('base64url');
    trail.onToolCallEnd(
      makeContext({
        agent: { kind: 'oauth-client', clientId },
        human: { issuer: 'https://as.example', subject, displayName: 'alice' },
      }),
      { kind: 'success', resultSize: 1 },
      1,
    );
    await trail.flush();
    h = mountWithBackend(true);
    const { root, app } = h;
    await app.start();
    await waitFor(() => rowTexts(root).some((r) => r[3] === 'alice'), 10_000, 'row');
    (root.querySelector('.rows .row') as HTMLElement).click();
    await waitFor(() => (root.querySelector('.details')?.textContent ?? '').includes('alice'), 10_000, 'details');
    const details = root.querySelector('.details')!.textContent!;
    assert.ok(details.includes(clientId), 'the OAuth client id is shown');
    assert.ok(details.includes(`sub ${subject}`), 'the subject is shown');
    assert.ok(!details.includes('[REDACTED]'));
  });

  it('keeps only the visible rows in the DOM for 150k rows and fetches pages as it scrolls', async () => {
    const TOTAL = 150_000;
    const row = (i: number): RowDto => ({
      ref: `1:${i}:1`,
      time: Date.UTC(2026, 0, 1) + i,
      server: 's',
      tool: `tool ${i}`,
      user: 'u',
      outcome: 'success',
      durationMs: 1,
      caller: 'palette',
    });
    const requested: number[] = [];
    h = mountApp((m, reply) => {
      if (m.kind !== 'request') return;
      if (m.type === 'query') {
        const p = m.params as { offset: number; limit: number };
        requested.push(p.offset);
        const rows = Array.from({ length: Math.min(p.limit, TOTAL - p.offset) }, (_, k) => row(p.offset + k));
        reply({ kind: 'reply', id: m.id, ok: true, result: { total: TOTAL, offset: p.offset, rows, generation: 1 } });
      } else if (m.type === 'facets')
        reply({ kind: 'reply', id: m.id, ok: true, result: { servers: ['s'], tools: [], users: [], callers: [] } });
    });
    await h.app.start();
    await waitFor(() => rowTexts(h!.root)[0]?.[2] === 'tool 0', 10_000, 'first rows');
    const domRows = h.root.querySelectorAll('.rows .row').length;
    assert.ok(domRows > 0 && domRows <= 40, `${domRows} rows in the DOM`);
    assert.equal((h.root.querySelector('.spacer') as HTMLElement).style.height, `${TOTAL * 22}px`);
    const viewport = h.root.querySelector('.viewport') as HTMLElement;
    viewport.scrollTop = 100_000 * 22;
    viewport.dispatchEvent(new h.window.Event('scroll') as unknown as Event);
    await waitFor(() => rowTexts(h!.root)[0]?.[2] === 'tool 100000', 10_000, 'scrolled rows');
    assert.ok(h.root.querySelectorAll('.rows .row').length <= 40);
    assert.ok(requested.includes(100_000), 'fetched the page it needed');
    assert.ok(requested.length < 10, 'did not fetch everything');
    assert.deepEqual(h.sent[0], { kind: 'ready' }, 'ready handshake first');
  });

  it('shows new records live, filters, clears only after confirmation, and ignores malformed messages', async () => {
    h = mountWithBackend(false);
    const { root, app } = h;
    await app.start();
    trail.onToolCallEnd(makeContext({ tool: 'live_one' }), { kind: 'success', resultSize: 1 }, 1);
    trail.onToolCallEnd(
      makeContext({ tool: 'live_two' }),
      { kind: 'denied', status: 403, message: 'no', missingScope: 'tickets:write' },
      1,
    );
    await waitFor(() => rowTexts(root).length === 2 && rowTexts(root).every((r) => r[2] !== ''), 10_000, 'live rows');
    const outcome = root.querySelector('select[aria-label="Outcome"]') as HTMLSelectElement;
    outcome.value = 'denied';
    await app.applyFilter();
    await waitFor(() => rowTexts(root).length === 1 && rowTexts(root)[0]?.[2] === 'live_two', 10_000, 'filtered rows');
    (root.querySelector('button[data-action="clear"]') as HTMLElement).click();
    await trail.flush();
    const posted = h.posted.length;
    await backend!.handle({ kind: 'request', id: 99, type: 'record', params: { ref: 'x'.repeat(500) } });
    await backend!.handle({ kind: 'bogus' });
    assert.equal(h.posted.length, posted, 'malformed messages get no reply');
    assert.equal((await store.verify()).records, 2, 'not cleared without confirmation');
  });

  it('filters by caller: the Caller select lists the callers on record, and "chat" shows only the calls VS Code\'s agent made', async () => {
    trail.onToolCallEnd(
      makeContext({ tool: 'from_palette', caller: 'palette' }),
      { kind: 'success', resultSize: 1 },
      1,
    );
    trail.onToolCallEnd(
      makeContext({ tool: 'from_chat', caller: 'chat', conversationId: 'conv-1' }),
      { kind: 'success', resultSize: 1 },
      1,
    );
    trail.onToolCallEnd(
      makeContext({ tool: 'from_panel', caller: 'panel' }),
      { kind: 'denied', status: 403, message: 'no' },
      1,
    );
    await trail.flush();
    h = mountWithBackend(false);
    const { root, app } = h;
    await app.start();
    const caller = root.querySelector('select[aria-label="Caller"]') as HTMLSelectElement;
    await waitFor(() => caller.options.length === 4, 10_000, 'caller options');
    assert.deepEqual(
      [...caller.options].map((o) => o.value),
      ['', 'chat', 'palette', 'panel'],
    );
    caller.value = 'chat';
    await app.applyFilter();
    await waitFor(
      () => rowTexts(root).length === 1 && rowTexts(root)[0]?.[2] === 'from_chat',
      10_000,
      'only the chat call',
    );
    caller.value = '';
    await app.applyFilter();
    await waitFor(() => rowTexts(root).length === 3, 10_000, 'all calls again');
    // The host treats the webview as untrusted: a caller filter that is not a short string is refused.
    const posted = h.posted.length;
    await backend!.handle({
      kind: 'request',
      id: 98,
      type: 'query',
      params: { filter: { caller: { $ne: '' } }, offset: 0, limit: 10 },
    } as unknown as WebviewToHost);
    assert.equal(h.posted.length, posted, 'a malformed filter gets no reply');
  });

  it('clears after the modal confirmation and the chain still verifies', async () => {
    h = mountWithBackend(true);
    const { root, app } = h;
    await app.start();
    trail.onToolCallEnd(makeContext({ tool: 'to_clear' }), { kind: 'success', resultSize: 1 }, 1);
    await waitFor(() => rowTexts(root).length === 1 && rowTexts(root)[0]?.[2] === 'to_clear', 10_000, 'row');
    (root.querySelector('button[data-action="clear"]') as HTMLElement).click();
    await waitFor(
      () => rowTexts(root).length === 1 && rowTexts(root)[0]?.[2] === 'audit.clear',
      10_000,
      'cleared table (only the clear event)',
    );
    const v = await store.verify();
    assert.deepEqual([v.ok, v.records], [true, 1]);
    trail.onToolCallEnd(makeContext({ tool: 'after_clear' }), { kind: 'success', resultSize: 1 }, 1);
    await trail.flush();
    assert.ok((await store.verify()).ok);
  });

  it('shows the off-machine export status: ok, then failing with our own words and the pending count', async () => {
    const collector = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/logs`;
    const exporter = new AuditExportController({
      trail,
      secrets: new MemorySecretStore(),
      logger: new MemoryLogger(),
      endpoint: () => url,
      forwarder: { flushIntervalMs: 5, retryBaseMs: 60_000, maxRetries: 1 },
    });
    try {
      await exporter.apply();
      h = mountWithBackend(false, exporter);
      const line = (): string => h!.root.querySelector('.status.export')?.textContent ?? '';
      await h.app.start();
      await waitFor(() => /waiting for records, 0 records pending/.test(line()), 10_000, 'idle export line');
      trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1);
      await waitFor(
        () => /^Export to collector: ok, last sent .+, 0 records pending$/.test(line()),
        10_000,
        `ok export line (${line()})`,
      );
      await new Promise<void>((r) => {
        collector.closeAllConnections();
        collector.close(() => r());
      });
      trail.onToolCallEnd(makeContext(), { kind: 'success', resultSize: 1 }, 1);
      await waitFor(
        () => line() === 'Export to collector: failing (the collector is unreachable (ECONNREFUSED)), 1 record pending',
        10_000,
        `failing export line (${line()})`,
      );
      assert.match(h.root.querySelector('.status.export')!.className, /error/);
    } finally {
      exporter.dispose();
      collector.close();
    }
  });

  it('serves a strict CSP with a fresh nonce and no inline allowances', () => {
    const a = auditPanelHtml({
      cspSource: 'vscode-webview://x',
      scriptUri: 'vscode-webview://x/webview.js',
      styleUri: 'vscode-webview://x/audit.css',
    });
    const b = auditPanelHtml({
      cspSource: 'vscode-webview://x',
      scriptUri: 'vscode-webview://x/webview.js',
      styleUri: 'vscode-webview://x/audit.css',
    });
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(a)?.[1];
    assert.ok(nonce && nonce.length >= 22);
    assert.notEqual(nonce, /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(b)?.[1]);
    assert.match(a, /default-src 'none'/);
    assert.ok(!/unsafe-inline|unsafe-eval|http:/.test(a));
    assert.match(a, new RegExp(`<script nonce="${nonce!.replace(/[+/=]/g, (c) => `\\${c}`)}" src=`));
    assert.ok(!/<style|style=/.test(a));
  });
});
