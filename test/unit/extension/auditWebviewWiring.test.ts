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
    get html(): string { return doc.body.innerHTML; },
    set html(value: string) {
      wv.lastHtml = value;
      // The page as served, minus the script tag (the bundle's stand-in is the AuditApp below).
      doc.body.innerHTML = (/<body>([\s\S]*)<\/body>/.exec(value)?.[1] ?? '').replace(/<script[\s\S]*?<\/script>/g, '');
      const root = (doc.getElementById('root') ?? doc.body.appendChild(doc.createElement('div'))) as unknown as HTMLElement;
      const rpc = new RpcClient({
        postMessage: (m) => {
          const copy: unknown = JSON.parse(JSON.stringify(m));
          if (hostListener) hostListener(copy);
          else wv.dropped++;
        },
        onMessage: (l) => { pageListener = l; },
      });
      void new AuditApp(root, rpc).start();
    },
    onDidReceiveMessage(listener: (m: unknown) => void) {
      hostListener = listener;
      return { dispose: () => { hostListener = undefined; } };
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
      pickExportTarget: async () => undefined, confirmClear: async () => false, notify: () => undefined,
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
    const wiring = wireAuditWebview(wv, backend, new MemoryLogger(), { roots: [], scriptUri: 'https://webview.invalid/webview.js', styleUri: 'https://webview.invalid/audit.css' });
    const count = (): string => window.document.querySelector('.count')?.textContent ?? '';
    await waitFor(() => count() === '0 records', 'the first page ("0 records")');
    assert.equal(wv.dropped, 0, 'no message from the page was dropped');
    assert.match(wv.lastHtml, /<div id="root"><p class="loading">Loading the audit log…<\/p><\/div>/, 'a page whose script never runs is not blank');
    assert.ok(!(window.document.body.textContent ?? '').includes('Loading the audit log'), 'the app replaced the loading line');
    assert.deepEqual(wv.options, { enableScripts: true, enableCommandUris: false, localResourceRoots: [] });
    wiring.dispose();
  });

  it('detaches on dispose: later messages are neither handled nor answered', async () => {
    const wv = eagerWebview(window);
    wireAuditWebview(wv, backend, new MemoryLogger(), { roots: [], scriptUri: 'x', styleUri: 'y' }).dispose();
    let posted = 0;
    const original = wv.postMessage.bind(wv);
    wv.postMessage = (m) => { posted++; return original(m); };
    wv.html = 'again';
    assert.ok(wv.dropped > 0, 'the page posted with no listener');
    assert.equal(posted, 0);
  });
});
