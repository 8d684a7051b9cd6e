// @vscode/test-cli configuration: `npx vscode-test` (Node >= 22, as @vscode/test-cli requires) and VS Code's
// Extension Test Runner run the integration suites with test-cli's own mocha runner. It builds the extension,
// bundles test/integration/suite into out/integration/suites.js and starts the demo servers (stopped when
// this process exits). Offline (or MCP_SECURE_EDITOR=code-server) the "installation" is the code-server
// shim; with internet, desktop VS Code is downloaded as usual. `npm run test:integration` runs the same
// suites through @vscode/test-electron directly, on any Node >= 20.19 (scripts/harness/runIntegration.mjs).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOptions } from './esbuild.config.mjs';
import { bundleSuites } from './scripts/harness/bundleIntegration.mjs';
import { startDemoServersProcess, testEnvironment } from './scripts/harness/demoServers.mjs';
import { VSCODE_SHIM, chooseEditor } from './scripts/harness/editorChoice.mjs';
import { CHAT_PARTICIPANT_DIR } from './scripts/harness/fixtureExtensions.mjs';
import { ensureHarness } from './scripts/harness/setup.mjs';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

const esbuild = await import('esbuild');
await Promise.all(buildOptions({ production: false }).map((b) => esbuild.build({ ...b, logLevel: 'warning' })));
const { outfile } = await bundleSuites();
const editor = await chooseEditor(process.env.MCP_SECURE_EDITOR);
if (editor === 'code-server') await ensureHarness();
const demo = await startDemoServersProcess();

export default {
  label: 'integration',
  files: outfile,
  extensionDevelopmentPath: [ROOT, CHAT_PARTICIPANT_DIR],
  // A scratch folder: the suites write workspace settings into it.
  workspaceFolder: mkdtempSync(path.join(tmpdir(), 'mcp-secure-it-')),
  mocha: { ui: 'bdd', timeout: 60_000, color: false },
  env: testEnvironment(demo),
  ...(editor === 'code-server' && { useInstallation: { fromPath: VSCODE_SHIM } }),
};
