/**
 * Entry point of the audit panel webview (bundled by esbuild to dist/webview.js, loaded with a nonce).
 */
import { AuditApp } from './auditApp';
import type { WebviewToHost } from './protocol';
import { RpcClient } from './rpcClient';
import { useWebviewStrings } from './webviewStrings';

declare function acquireVsCodeApi(): { postMessage(message: WebviewToHost): void };

const vscodeApi = acquireVsCodeApi();
const rpc = new RpcClient({
  postMessage: (m) => vscodeApi.postMessage(m),
  onMessage: (listener) => window.addEventListener('message', (e: MessageEvent) => listener(e.data)),
});
const root = document.getElementById('root');
// The host wrote the texts in the user's language into the page (auditPanelHtml): take them first.
useWebviewStrings(root?.dataset.l10n);
if (root) void new AuditApp(root, rpc).start();
