// Which editor runs the integration suite, for both entry points (`npm run test:integration` and
// @vscode/test-cli's `.vscode-test.mjs`): desktop VS Code, downloaded by @vscode/test-electron, when its
// download host resolves; code-server through scripts/harness/vscodeShim.mjs otherwise (offline machines).
import { lookup } from 'node:dns/promises';
import path from 'node:path';
import { REPO_ROOT } from './setup.mjs';

/** The stand-in executable test-electron starts instead of desktop VS Code when offline. */
export const VSCODE_SHIM = path.join(REPO_ROOT, 'scripts', 'harness', 'vscodeShim.mjs');
/** Where @vscode/test-electron downloads desktop VS Code from. */
const UPDATE_HOST = 'update.code.visualstudio.com';

/**
 * The editor: `explicit` (--editor, MCP_SECURE_EDITOR) when given, else desktop when the download host
 * resolves within 3 s, else code-server.
 * @param {string | undefined} explicit
 * @returns {Promise<'code-server' | 'desktop'>}
 */
export async function chooseEditor(explicit) {
  if (explicit === 'code-server' || explicit === 'desktop') return explicit;
  if (explicit) throw new Error(`the editor must be code-server or desktop, not "${explicit}"`);
  const resolves = await Promise.race([
    lookup(UPDATE_HOST).then(
      () => true,
      () => false,
    ),
    new Promise((resolve) => setTimeout(resolve, 3000, false).unref()),
  ]);
  return resolves ? 'desktop' : 'code-server';
}
