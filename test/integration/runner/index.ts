/**
 * Extension-host test entry (VS Code's `extensionTestsPath` contract): `run()` loads every
 * `test/integration/suite/**\/*.test.ts` into one mocha run and settles when it ends — rejecting when any
 * test failed, which the workbench turns into exit code 1. Bundled by scripts/harness/bundleIntegration.mjs
 * into `out/integration/index.js` (CJS, mocha inside, `vscode` external) so the same file runs in
 * code-server (offline harness) and in desktop VS Code under `@vscode/test-electron`.
 */
import Mocha from 'mocha';
import { suites } from 'mcp-secure:integration-suites';
import { orderSuites } from './order';

/** Per-test timeout: sign-in and stdio launches are real network/process work. */
const TEST_TIMEOUT_MS = 60_000;

/** Tag the harness' log filter looks for (scripts/harness/extensionTests.mjs EXT_HOST_MARK). */
const EXT_HOST_MARK = '\u001e';

/**
 * Under the code-server harness the workbench forwards this process' console mixed with its own chatter;
 * tag the reporter's lines so the harness can print the test output alone. (The extension host guards
 * `console.*` against reassignment, so the tag goes on mocha's own output hook.)
 */
function tagReporterForHarness(): void {
  if (!process.env.MCP_SECURE_HARNESS) return;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => console.log(EXT_HOST_MARK, ...args);
}

export function run(): Promise<void> {
  tagReporterForHarness();
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: TEST_TIMEOUT_MS, reporter: 'spec' });
  const grep = process.env.MCP_SECURE_TEST_GREP;
  if (grep) mocha.grep(grep);
  const order = process.env.MCP_SECURE_TEST_ORDER;
  const ordered = orderSuites(suites, order);
  if (order)
    console.log(`${EXT_HOST_MARK} suite order (${order}): ${ordered.map((s) => s.file.split('/').pop()).join(', ')}`);
  for (const suite of ordered) {
    // What mocha's own loadFiles does: expose describe/it for this file, then evaluate it.
    mocha.suite.emit('pre-require', globalThis, suite.file, mocha);
    mocha.suite.emit('require', suite.load(), suite.file, mocha);
    mocha.suite.emit('post-require', globalThis, suite.file, mocha);
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
  });
}
