/**
 * The audit webview's HTML: a strict Content-Security-Policy (no inline script or style, no remote
 * origins; scripts only with a per-render CSPRNG nonce) and nothing but a root element holding a static
 * "Loading…" line, which the script replaces: a panel whose script never ran says so instead of
 * staying blank. No vscode import, so it is unit-testable.
 */
import { randomBytes } from 'node:crypto';
import { WEBVIEW_STRINGS, type WebviewStringTable } from '../../webview/webviewStrings';

export interface AuditPanelHtmlInput {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** `webview.asWebviewUri(...)` of dist/webview.js and media/audit/audit.css. */
  readonly scriptUri: string;
  readonly styleUri: string;
  /** `editor` gives the page the editor's background instead of the side bar's. */
  readonly surface?: 'view' | 'editor';
  /**
   * The webview's texts in the user's language (`translateTable(WEBVIEW_STRINGS)`): the page's title and
   * loading line use them, and the script reads the rest from `data-l10n`. English when absent.
   */
  readonly strings?: WebviewStringTable;
  /** Injected for tests; a fresh 128-bit CSPRNG nonce otherwise. */
  readonly nonce?: string;
}

/** A nonce for the CSP `script-src 'nonce-…'` (base64 of 16 CSPRNG bytes). */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function auditPanelHtml(input: AuditPanelHtmlInput): string {
  const nonce = input.nonce ?? createNonce();
  const strings = input.strings ?? WEBVIEW_STRINGS;
  const csp = [
    "default-src 'none'",
    `style-src ${input.cspSource}`,
    `font-src ${input.cspSource}`,
    `img-src ${input.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(input.styleUri)}">
<title>${attr(strings.pageTitle)}</title>
</head>
<body class="surface-${input.surface === 'editor' ? 'editor' : 'view'}">
<div id="root" data-l10n="${attr(JSON.stringify(strings))}"><p class="loading">${attr(strings.loading)}</p></div>
<script nonce="${attr(nonce)}" src="${attr(input.scriptUri)}"></script>
</body>
</html>`;
}
