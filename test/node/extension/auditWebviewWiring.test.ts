import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Window } from 'happy-dom';
import { AuditStore } from '../../../src/core/audit/auditStore';
import { AuditTrail } from '../../../src/core/audit/auditTrail';
import { MemoryLogger } from '../../../src/core/memoryPorts';
import { AuditPanelBackend } from '../../../src/vscode/audit/auditPanelBackend';
import { wireAuditWebview, type AuditWebviewLike } from '../../../src/vscode/audit/webviewWiring';
import { AuditApp } from '../../../src/webview/auditApp';
import { RpcClient } from '../../../src/webview/rpcClient';
import { useWebviewStrings } from '../../../src/webview/webviewStrings';
import { formatMessage } from '../../../src/core/common/formatMessage';
import { useTranslator } from '../../../src/vscode/localize';

/**
 * A webview like the editor's: assigning `html` starts the page at once (the real AuditApp in
 * happy-dom), which posts `ready` and its first requests synchronously; a message posted while no
 * listener is attached is dropped, as the editor drops it.
 */
function eagerWebview(window: Window): AuditWebviewLike & { dropped: number; lastHtml: string } {
  let hostListener: ((m: unknown) => void) | undefined;
  let pageListener: (m: unknown) => void = () => undefined;
  const doc = window.document as unknown as Document;
  const wv = {
    dropped: 0,
    lastHtml: '',
    options: {},
    cspSource: 'https://webview.invalid',
    get html(): string {
      return doc.body.innerHTML;
    },
    set html(value: string) {
      wv.lastHtml = value;
      // The page as served, minus the script tag (the bundle's stand-in is the AuditApp below).
      doc.body.innerHTML = (/<body[^>]*>([\s\S]*)<\/body>/.exec(value)?.[1] ?? '').replace(
        /<script[\s\S]*?<\/script>/g,
        '',
      );
      const root = (doc.getElementById('root') ??
        doc.body.appendChild(doc.createElement('div'))) as unknown as HTMLElement;
      useWebviewStrings(root.dataset.l10n); // as src/webview/main.ts does
      const rpc = new RpcClient({
        postMessage: (m) => {
          const copy: unknown = JSON.parse(JSON.stringify(m));
          if (hostListener) hostListener(copy);
          else wv.dropped++;
        },
        onMessage: (l) => {
          pageListener = l;
        },
      });
      void new AuditApp(root, rpc).start();
    },
    onDidReceiveMessage(listener: (m: unknown) => void) {
      hostListener = listener;
      return {
        dispose: () => {
          hostListener = undefined;
        },
      };
    },
    postMessage(m: unknown) {
      const json = JSON.stringify(m);
      setImmediate(() => pageListener(JSON.parse(json)));
      return Promise.resolve(true);
    },
  };
  return wv;
}

async function waitFor(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('audit webview wiring (host side of the ready handshake)', () => {
  let dir: string;
  let store: AuditStore;
  let backend: AuditPanelBackend;
  let window: Window;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-wiring-'));
    store = await AuditStore.open({ dir });
    backend = new AuditPanelBackend(new AuditTrail({ store, logger: new MemoryLogger() }), new MemoryLogger(), {
      pickExportTarget: async () => undefined,
      confirmClear: async () => false,
      notify: () => undefined,
    });
    window = new Window({ url: 'https://webview.invalid/' });
  });
  afterEach(async () => {
    backend.dispose();
    await window.happyDOM.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens before the page starts: a page that posts ready and requests at once renders its first page', async () => {
    const wv = eagerWebview(window);
    const wiring = wireAuditWebview(wv, backend, new MemoryLogger(), {
      roots: [],
      scriptUri: 'https://webview.invalid/webview.js',
      styleUri: 'https://webview.invalid/audit.css',
    });
    const count = (): string => window.document.querySelector('.count')?.textContent ?? '';
    await waitFor(() => count() === '0 records', 'the first page ("0 records")');
    assert.equal(wv.dropped, 0, 'no message from the page was dropped');
    assert.match(
      wv.lastHtml,
      /<div id="root" data-l10n="[^"]*"><p class="loading">Loading the audit log…<\/p><\/div>/,
      'a page whose script never runs is not blank',
    );
    assert.ok(
      !(window.document.body.textContent ?? '').includes('Loading the audit log'),
      'the app replaced the loading line',
    );
    assert.deepEqual(wv.options, { enableScripts: true, enableCommandUris: false, localResourceRoots: [] });
    wiring.dispose();
  });

  it("shows the panel in the user's language: the host translates the webview's texts and the page takes them over", async () => {
    useTranslator((message, ...args) => formatMessage(`«${message}»`, ...args));
    try {
      const wv = eagerWebview(window);
      const wiring = wireAuditWebview(wv, backend, new MemoryLogger(), { roots: [], scriptUri: 'x', styleUri: 'y' });
      const doc = window.document;
      await waitFor(() => doc.querySelector('.count')?.textContent === '«0 records»', 'the translated record count');
      assert.match(wv.lastHtml, /<title>«Audit Log»<\/title>/);
      assert.match(wv.lastHtml, /<p class="loading">«Loading the audit log…»<\/p>/);
      assert.equal(doc.querySelector('button[data-action="refresh"]')?.textContent, '«Refresh»');
      assert.equal(doc.querySelector('.chart h2')?.textContent, '«Calls over time»');
      const outcomes = [...doc.querySelectorAll('select[aria-label="«Outcome»"] option')].map((o) => o.textContent);
      assert.deepEqual(outcomes, ['«All outcomes»', '«success»', '«tool error»', '«denied»', '«transport error»']);
      assert.equal(
        doc.querySelector('input.search')?.getAttribute('placeholder'),
        '«Search tool, server, user, error, arguments»',
      );
      wiring.dispose();
    } finally {
      useTranslator(formatMessage);
      useWebviewStrings(undefined);
    }
  });

  it('detaches on dispose: later messages are neither handled nor answered', async () => {
    const wv = eagerWebview(window);
    wireAuditWebview(wv, backend, new MemoryLogger(), { roots: [], scriptUri: 'x', styleUri: 'y' }).dispose();
    let posted = 0;
    const original = wv.postMessage.bind(wv);
    wv.postMessage = (m) => {
      posted++;
      return original(m);
    };
    wv.html = 'again';
    assert.ok(wv.dropped > 0, 'the page posted with no listener');
    assert.equal(posted, 0);
  });

  it("answers each webview only its own requests: the side bar view and the editor panel never get each other's replies", async () => {
    /** A webview with no page: the test plays the page, and records what the host posts to it. */
    const quietWebview = (): AuditWebviewLike & {
      received: { kind: string; id?: number }[];
      send(m: unknown): void;
    } => {
      let listener: ((m: unknown) => void) | undefined;
      const wv = {
        received: [] as { kind: string; id?: number }[],
        options: {},
        html: '',
        cspSource: 'https://webview.invalid',
        onDidReceiveMessage(l: (m: unknown) => void) {
          listener = l;
          return {
            dispose: () => {
              listener = undefined;
            },
          };
        },
        postMessage(m: unknown) {
          wv.received.push(JSON.parse(JSON.stringify(m)) as { kind: string; id?: number });
          return Promise.resolve(true);
        },
        send(m: unknown) {
          listener?.(m);
        },
      };
      return wv;
    };
    const res = { roots: [], scriptUri: 'x', styleUri: 'y' };
    const view = quietWebview();
    const editor = quietWebview();
    const a = wireAuditWebview(view, backend, new MemoryLogger(), res);
    const b = wireAuditWebview(editor, backend, new MemoryLogger(), { ...res, surface: 'editor' });
    assert.match(editor.html, /<body class="surface-editor">/);
    view.send({ kind: 'ready' });
    editor.send({ kind: 'ready' });
    // Both pages number their requests from 1: a reply sent to both would resolve the other page's request 1.
    view.send({ kind: 'request', id: 1, type: 'facets', params: {} });
    editor.send({ kind: 'request', id: 1, type: 'histogram', params: { filter: {}, maxBuckets: 50 } });
    await waitFor(() => view.received.length > 0 && editor.received.length > 0, 'both replies');
    assert.deepEqual(
      view.received.map((m) => [
        m.kind,
        m.id,
        Object.keys((m as { result?: object }).result ?? {})
          .sort()
          .join(),
      ]),
      [['reply', 1, 'callers,servers,tools,users']],
    );
    assert.deepEqual(
      editor.received.map((m) => [m.kind, m.id, 'bucketMs' in ((m as { result?: object }).result ?? {})]),
      [['reply', 1, true]],
    );
    assert.deepEqual(
      backend.openSessions().map((s) => [s.surface, s.ready, s.answered]),
      [
        ['view', true, ['facets']],
        ['editor', true, ['histogram']],
      ],
    );
    await backend.refresh();
    assert.equal(view.received.filter((m) => m.kind === 'event').length, 1, 'events still reach every ready webview');
    assert.equal(editor.received.filter((m) => m.kind === 'event').length, 1);
    b.dispose();
    assert.deepEqual(
      backend.openSessions().map((s) => s.surface),
      ['view'],
      'a closed panel leaves no session behind',
    );
    a.dispose();
  });
});
