/**
 * UI walk-through of the installed extension, driven like a user in a real workbench (code-server in
 * headless Chromium, started by scripts/harness/uiWalkthrough.mjs): open the MCP Secure side bar, sign
 * in from the Accounts menu, log in on the authorization server's pages in the tab `openExternal` opens,
 * run "MCP Secure: Connect" from the command palette, inspect the Servers tree (identities, granted
 * scopes), open the audit panel. Each step saves a PNG under the screenshots folder. Every wait is on a
 * UI state with a deadline — never on time.
 */
import path from 'node:path';
import type { BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { importPreview, importSources } from './importSteps';
import { expectedPrompt, resultTabLabel, showsConnected } from './expectations';
import { getStarted, pickTheme, securityReport, statusBar } from './nativeSteps';

export interface WalkthroughOptions {
  context: BrowserContext;
  page: Page;
  /** Workbench URL (with `?folder=`). */
  workbenchUrl: string;
  screenshotsDir: string;
  user: { username: string; password: string };
  /** Display name of the preconfigured HTTP server (what quick picks and the tree show). */
  httpServerName: string;
  log: (msg: string) => void;
  /** Id of the preconfigured HTTP server (the gateway's name for it in VS Code's tool names, the result tab's name). */
  httpServerId: string;
}

export interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
  screenshot?: string;
  error?: string;
}

/** Generous: two cores shared with builds; every wait ends as soon as the state is reached. */
export const STEP_TIMEOUT_MS = 90_000;
const PROVIDER_LABEL = 'MCP Secure Connections';

/** Runs every step; stops at the first failure (later steps depend on earlier ones). */
export async function runWalkthrough(o: WalkthroughOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let n = 0;
  const step = async (name: string, fn: () => Promise<void>): Promise<boolean> => {
    const started = Date.now();
    const file = path.join(o.screenshotsDir, `${String(++n).padStart(2, '0')}-${name}.png`);
    try {
      await fn();
      await o.page.screenshot({ path: file });
      results.push({ name, ok: true, seconds: (Date.now() - started) / 1000, screenshot: file });
      o.log(`step ${n} ${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return true;
    } catch (err) {
      await o.page.screenshot({ path: file.replace(/\.png$/, '-FAILED.png') }).catch(() => undefined);
      for (const note of await visibleNotifications(o.page)) o.log(`notification: ${note}`);
      for (const line of diagnostics.splice(0)) o.log(line);
      results.push({ name, ok: false, seconds: (Date.now() - started) / 1000, error: String(err) });
      o.log(`step ${n} ${name}: FAILED ${String(err)}`);
      return false;
    }
  };
  const p = o.page;
  collectWebviewConsole(p);
  const steps: [string, () => Promise<void>][] = [
    ['workbench', () => openWorkbench(p, o.workbenchUrl)],
    ['side-bar', () => openSideBar(p, o.httpServerName)],
    ['accounts-menu', () => openAccountsMenu(p)],
    ['sign-in', () => signInFromAccountsMenu(o)],
    ['signed-in-account', () => showSignedInAccount(p, o.user.username)],
    ['palette-connect', () => paletteConnect(p)],
    ['connected', () => pickServerAndWaitConnected(p, o.httpServerName)],
    ['servers-tree', () => expandServersTree(p, o.httpServerName)],
    ['call-tool', () => paletteCallTool(o, 'whoami', `"sub": "${o.user.username}"`)],
    ['audit-panel', () => openAuditPanel(p, 'whoami')],
    ['audit-record', () => filterAndOpenAuditRecord(p, 'whoami', o.user.username)],
    // Issue 12 (native feel): each also photographs the light, dark and high-contrast themes.
    ['security-report', () => securityReport(p, o.screenshotsDir)],
    ['status-bar', () => statusBar(p, o.screenshotsDir)],
    ['get-started', () => getStarted(p, o.screenshotsDir)],
    ['more-calls', () => moreCalls(o)],
    ['audit-editor', () => openAuditEditor(p, o.log)],
    ['audit-editor-light', () => auditEditorInTheme(p, 'Light Modern', 'vscode-light', o.log)],
    ['audit-editor-dark', () => auditEditorInTheme(p, 'Dark Modern', 'vscode-dark', o.log)],
    ['audit-editor-high-contrast', () => auditEditorInTheme(p, 'Dark High Contrast', 'vscode-high-contrast', o.log)],
    ['audit-editor-zoomed', () => zoomAuditChart(p, o.log)],
    // Issue 8 (the gateway): MCP: List Servers, a participant call with VS Code's confirmation, the chat call audited.
    ...gatewaySteps(o),
    // Issue 12, item 7: Import Servers… from the files other MCP clients keep (samples by the harness).
    ['import-sources', () => importSources(p)],
    ['import-preview-cancelled', () => importPreview(p, (name) => shot(o, name))],
  ];
  for (const [name, fn] of steps) if (!(await step(name, fn))) break;
  return results;
}

/** An extra screenshot inside a step (the step's own one is taken after it). */
async function shot(o: WalkthroughOptions, name: string): Promise<void> {
  await o.page.screenshot({ path: path.join(o.screenshotsDir, `${name}.png`) });
}

async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: STEP_TIMEOUT_MS });
  // The extension contributes its container once the extension host has registered it.
  await activityItem(page, 'MCP Secure').waitFor({ timeout: STEP_TIMEOUT_MS });
}

function activityItem(page: Page, label: string): Locator {
  return page.locator(`.part.activitybar .action-item a[aria-label^="${label}"]`).first();
}

async function openSideBar(page: Page, serverName: string): Promise<void> {
  await activityItem(page, 'MCP Secure').click();
  await paneHeader(page, 'Servers').waitFor({ timeout: STEP_TIMEOUT_MS });
  await widenSideBar(page);
  // The preconfigured servers appear once the extension has activated and read the settings.
  await treeRow(page, serverName).waitFor({ timeout: STEP_TIMEOUT_MS });
}

/** Drags the side bar's sash so tree labels (identities, scopes) are readable in the screenshots. */
async function widenSideBar(page: Page): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width > 450) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width + 260, y, { steps: 5 });
  await page.mouse.up();
}

function treeRow(page: Page, text: string): Locator {
  return pane(page, 'Servers').locator('.monaco-list-row', { hasText: text }).first();
}

function paneHeader(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane-header', { hasText: title }).first();
}

function pane(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: title }) }).first();
}

/** The Accounts icon carries a badge ("Sign in requested") that intercepts pointer events. */
async function clickAccounts(page: Page): Promise<void> {
  await activityItem(page, 'Accounts').click({ force: true, timeout: 5000 });
  await page.locator('.monaco-menu').first().waitFor({ timeout: 5000 });
}

function signInMenuItem(page: Page): Locator {
  return page.getByRole('menuitem', { name: new RegExp(`Sign in with ${PROVIDER_LABEL} to use`) }).first();
}

async function openAccountsMenu(page: Page): Promise<void> {
  // The entry appears after the extension's activation-time getSession(createIfNone: false).
  await retryUntil(async () => {
    await clickAccounts(page);
    if (await signInMenuItem(page).isVisible()) return true;
    await page.keyboard.press('Escape');
    return false;
  }, 'the Accounts menu to offer "Sign in with MCP Secure Connections"');
}

/** Clicks the Accounts-menu entry, then answers whatever the flow asks until the login tab has finished. */
async function signInFromAccountsMenu(o: WalkthroughOptions): Promise<void> {
  const { page, context } = o;
  let loginDone = false;
  let loginError: unknown;
  const onPage = (tab: Page): void => {
    completeLogin(tab, o).then(
      () => (loginDone = true),
      (err: unknown) => (loginError = err),
    );
  };
  const workbenchOrigin = new URL(o.workbenchUrl).origin;
  const onRequest = (req: { url(): string; isNavigationRequest(): boolean }): void => {
    if (!req.url().startsWith(workbenchOrigin)) o.log(`login tab -> ${redactQuery(req.url())}`);
  };
  context.on('page', onPage);
  context.on('request', onRequest);
  try {
    await signInMenuItem(page).click();
    await retryUntil(async () => {
      if (loginError) throw loginError;
      if (loginDone) return true;
      await answerPrompts(page, o);
      return false;
    }, 'the login in the browser tab to complete');
  } finally {
    context.off('page', onPage);
    context.off('request', onRequest);
  }
}

/**
 * One pass over the prompts a sign-in may raise: only the expected ones, by name (SIGN_IN_PROMPTS: the
 * consent dialog, the open-link dialog), each with its one button, and the server pick. Any other dialog
 * fails the run unanswered: an unexpected consent is a finding, not a step.
 */
async function answerPrompts(page: Page, o: WalkthroughOptions): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box').first();
  if (await dialog.isVisible()) {
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    o.log(`dialog: ${text}`);
    const prompt = expectedPrompt(text);
    const name = prompt?.name ?? 'unexpected-dialog';
    await page.screenshot({ path: path.join(o.screenshotsDir, `${name}.png`) }).catch(() => undefined);
    if (!prompt) throw new Error(`an unexpected dialog during sign-in (left unanswered): ${text}`);
    await dialog.getByRole('button', { name: prompt.button, exact: true }).click();
    return;
  }
  const quickInput = page.locator('.quick-input-widget').first();
  if (await quickInput.isVisible()) {
    const row = quickInput.locator('.monaco-list-row', { hasText: o.httpServerName }).first();
    if (await row.isVisible()) await row.click();
  }
}

/** Fills the authorization server's login and consent forms in the tab openExternal opened. */
async function completeLogin(tab: Page, o: WalkthroughOptions): Promise<void> {
  await tab.waitForLoadState('domcontentloaded');
  const form = tab.locator('#login-form');
  try {
    await form.waitFor({ timeout: STEP_TIMEOUT_MS });
  } catch (err) {
    o.log(
      `login tab shows: ${(
        await tab
          .locator('body')
          .innerText()
          .catch(() => '')
      ).slice(0, 500)}`,
    );
    throw err;
  }
  await form.locator('input[name="username"]').fill(o.user.username);
  await form.locator('input[name="password"]').fill(o.user.password);
  await tab.screenshot({ path: path.join(o.screenshotsDir, 'login-form.png') });
  await form.getByRole('button', { name: 'Sign in' }).click();
  const accept = tab.locator('#consent-accept');
  await accept.waitFor({ timeout: STEP_TIMEOUT_MS });
  await tab.screenshot({ path: path.join(o.screenshotsDir, 'consent-form.png') });
  const redirected = tab.waitForURL((u) => !u.pathname.includes('/interaction/'), { timeout: STEP_TIMEOUT_MS });
  await accept.getByRole('button', { name: 'Accept' }).click();
  await redirected;
  await tab.waitForLoadState('load');
  o.log(
    `login tab finished: ${(
      await tab
        .locator('body')
        .innerText()
        .catch(() => '')
    ).slice(0, 200)}`,
  );
  await tab.screenshot({ path: path.join(o.screenshotsDir, 'login-done.png') }).catch(() => undefined);
  if (!tab.isClosed()) await tab.close();
}

/**
 * The account is listed and the activation-time session request is satisfied: no "Sign in with MCP
 * Secure Connections … (1)" entry is left in the menu and no badge on the Accounts icon.
 */
async function showSignedInAccount(page: Page, username: string): Promise<void> {
  const pendingRequest = page.getByRole('menuitem', { name: new RegExp(`Sign in with ${PROVIDER_LABEL}`) }).first();
  const badge = page
    .locator('.part.activitybar .action-item:has(a[aria-label^="Accounts"]) .badge .badge-content')
    .first();
  let last = '';
  await retryUntil(async () => {
    await clickAccounts(page);
    const account = page.getByRole('menuitem', { name: new RegExp(escapeRegExp(username)) }).first();
    const listed = await account.isVisible();
    const pending = await pendingRequest.isVisible();
    const badgeText = (await badge.isVisible()) ? (await badge.innerText()).trim() : '';
    last = `account listed: ${listed}, pending sign-in request: ${pending}, badge: "${badgeText}"`;
    if (listed && !pending && !badgeText) {
      await account.hover();
      return true;
    }
    await page.keyboard.press('Escape');
    return false;
  }, `an account "${username}" in the Accounts menu and no pending sign-in request`).catch((err: unknown) => {
    diagnostics.push(`accounts menu: ${last}`);
    throw err;
  });
}

async function paletteConnect(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await retryUntil(async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: STEP_TIMEOUT_MS });
    await input.fill('>MCP Secure: Connect');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'MCP Secure: Connect' }).first();
    try {
      await row.waitFor({ timeout: 3000 });
      return true;
    } catch {
      // Right after start the palette may not list the extension's commands yet.
      await page.keyboard.press('Escape');
      return false;
    }
  }, 'the palette to list "MCP Secure: Connect"');
}

async function pickServerAndWaitConnected(page: Page, serverName: string): Promise<void> {
  await page.keyboard.press('Enter');
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: serverName }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT_MS });
  await row.click();
  const servers = pane(page, 'Servers');
  await servers.locator('.monaco-list-row', { hasText: serverName }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  const serverRow = servers.locator('.monaco-list-row', { hasText: serverName }).first();
  await retryUntil(
    async () => showsConnected(await serverRow.innerText()),
    `the ${serverName} row to read "Connected (…)"`,
  );
}

async function expandServersTree(page: Page, serverName: string): Promise<void> {
  const servers = pane(page, 'Servers');
  // Expand every collapsed row (server, identities, scopes), a few rounds as children appear.
  await retryUntil(async () => {
    const collapsed = servers.locator('.monaco-list-row[aria-expanded="false"]');
    const count = await collapsed.count();
    if (count === 0) return true;
    await collapsed.first().click();
    return false;
  }, 'the Servers tree to be fully expanded');
  const text = await servers.innerText();
  for (const expected of [serverName, 'tickets:read']) {
    if (!text.includes(expected)) throw new Error(`Servers tree lacks "${expected}":\n${text}`);
  }
}

/** Runs a palette command: F1, type its title, wait until listed (commands register after activation), Enter. */
export async function runPaletteCommand(page: Page, title: string): Promise<void> {
  await retryUntil(async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 5000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    return chooseListedRow(page, row, () => page.keyboard.press('Enter'));
  }, `the palette to list "${title}"`);
}

/**
 * One try for `retryUntil` at a quick-pick row: once `row` is listed (within 3 s), `choose` it (by default a
 * click) and return true; otherwise close the quick pick and return false, so that the next try opens it again.
 */
export async function chooseListedRow(
  page: Page,
  row: Locator,
  choose: () => Promise<void> = () => row.click(),
): Promise<boolean> {
  try {
    await row.waitFor({ timeout: 3000 });
  } catch {
    await page.keyboard.press('Escape');
    return false;
  }
  await choose();
  return true;
}

/**
 * "MCP Secure: Call Tool…": pick the server and the tool in the quick picks; the result opens in its own
 * tab (`<server id>-<tool>.json`) whose text holds `expected`.
 */
async function paletteCallTool(o: WalkthroughOptions, tool: string, expected: string): Promise<void> {
  const { page, httpServerName: serverName } = o;
  await runPaletteCommand(page, 'MCP Secure: Call Tool');
  const label = resultTabLabel(o.httpServerId, tool);
  await retryUntil(async () => {
    const editorTab = page.locator('.tabs-container .tab', { hasText: label }).first();
    if (await editorTab.isVisible()) return true;
    const quickInput = page.locator('.quick-input-widget').first();
    if (await quickInput.isVisible()) {
      for (const label of [tool, serverName]) {
        const row = quickInput.locator('.monaco-list-row', { hasText: label }).first();
        if (await row.isVisible()) {
          await row.click();
          return false;
        }
      }
      // A quick input for an argument (whoami takes none, but be generous): accept the default.
      await page.keyboard.press('Enter');
    }
    return false;
  }, `the ${tool} result to open in a tab named ${label}`);
  const editor = page.locator('.editor-instance .view-lines').first();
  let shown = '';
  await retryUntil(async () => {
    shown = (await editor.innerText()).replace(/\u00a0/g, ' ');
    return shown.includes(expected);
  }, `the ${label} editor to show ${expected}`).catch((err: unknown) => {
    diagnostics.push(`result editor showed: ${shown.slice(0, 300)}`);
    throw err;
  });
}

async function openAuditPanel(page: Page, tool: string): Promise<void> {
  const header = paneHeader(page, 'Audit Log');
  await header.waitFor({ timeout: STEP_TIMEOUT_MS });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // The webview lives in nested iframes in an overlay, not inside the pane's DOM: look in every frame
  // for the record of the call just made. No reloads: the panel must render the first time.
  await retryUntil(async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const text = await frame
        .locator('body')
        .innerText({ timeout: 1000 })
        .catch(() => '');
      if (/\b\d+ records?\b/.test(text) && text.includes(tool)) return true;
    }
    return false;
  }, `an audit record of ${tool} in the audit panel`).catch(async (err: unknown) => {
    for (const frame of page.frames()) {
      const text = await frame
        .locator('body')
        .innerText({ timeout: 1000 })
        .catch((e: unknown) => `<${String(e).slice(0, 80)}>`);
      // Where a webview host frame stopped: its perf marks (content/started, content/workerReady, …).
      const state = await frame
        .evaluate(() => ({
          sw: navigator.serviceWorker?.controller?.scriptURL ?? 'none',
          marks: performance
            .getEntriesByType('mark')
            .map((m) => m.name)
            .filter((n) => n.startsWith('webview/'))
            .join(' '),
        }))
        .catch(() => ({ sw: '?', marks: '' }));
      diagnostics.push(
        `frame ${frame.url().slice(0, 160)} (service worker: ${state.sw.slice(-60)}; marks: ${state.marks.slice(0, 300)}): ${text.replace(/\s+/g, ' ').slice(0, 120)}`,
      );
    }
    throw err;
  });
}

/** The audit panel's frame: the one whose document holds the panel's search box. */
async function auditFrame(page: Page): Promise<Frame> {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    if (
      await frame
        .locator('input.search')
        .count()
        .catch(() => 0)
    )
      return frame;
  }
  throw new Error('no frame holds the audit panel');
}

/** Filters the audit list (search + outcome) down to the call just made and opens its record. */
async function filterAndOpenAuditRecord(page: Page, tool: string, username: string): Promise<void> {
  let frame: Frame | undefined;
  await retryUntil(async () => Boolean((frame = await auditFrame(page))), 'the audit panel frame');
  const f = frame as Frame;
  await f.locator('input.search').fill(tool);
  await f.locator('select[aria-label="Outcome"]').selectOption('success');
  const row = f.locator('.rows .row', { hasText: tool }).first();
  await retryUntil(async () => {
    const text = await f.locator('body').innerText({ timeout: 1000 });
    return /\b1 record\b/.test(text) && (await row.isVisible());
  }, `the audit list filtered to the ${tool} call`);
  // The details pane shows the three identities of the record: the human must be the signed-in user.
  // The search box is debounced, so a filter pass may land after the click and clear the pane: click
  // again until the record stays open.
  let seen = '';
  await retryUntil(async () => {
    seen = await f.locator('.details').innerText({ timeout: 1000 });
    if (seen.includes(tool) && seen.includes(username)) return true;
    await row.click();
    return false;
  }, `the ${tool} record opened in the details pane`).catch((err: unknown) => {
    diagnostics.push(`details pane showed: ${seen.replace(/\s+/g, ' ').slice(0, 300)}`);
    throw err;
  });
}

/** A few more calls (another tool too), so the chart has more than one bar and the breakdown more than one tool. */
async function moreCalls(o: WalkthroughOptions): Promise<void> {
  const { page } = o;
  const expected: Record<string, string> = { list_tickets: 'T-1', whoami: `"sub": "${o.user.username}"` };
  for (const tool of ['list_tickets', 'whoami', 'list_tickets']) {
    await page.keyboard.press('Escape');
    // The previous result editor must go: paletteCallTool waits for a result editor to appear.
    await runPaletteCommand(page, 'View: Close All Editors');
    await retryUntil(async () => (await page.locator('.tabs-container .tab').count()) === 0, 'no editor open');
    await paletteCallTool(o, tool, expected[tool] ?? tool);
  }
}

/** The editor panel's frame: the one whose document holds the chart AND is wide enough for the breakdown. */
async function auditEditorFrame(page: Page): Promise<Frame> {
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    if (
      await frame
        .locator('body.surface-editor .timeline-svg')
        .count()
        .catch(() => 0)
    )
      return frame;
  }
  throw new Error('no frame holds the audit editor panel');
}

/**
 * "MCP Secure: Open Audit Log in Editor" from the palette: the panel opens in the editor area with the
 * chart (bars, breakdown) above the table. The side bar is closed so the editor has the whole width.
 */
async function openAuditEditor(page: Page, log: (msg: string) => void): Promise<void> {
  await page.keyboard.press('Escape');
  await runPaletteCommand(page, 'MCP Secure: Open Audit Log in Editor');
  await page.locator('.tabs-container .tab', { hasText: 'Audit Log' }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await runPaletteCommand(page, 'View: Close Primary Side Bar');
  let frame: Frame | undefined;
  await retryUntil(async () => Boolean((frame = await auditEditorFrame(page))), 'the audit editor panel frame');
  const f = frame as Frame;
  await retryUntil(
    async () =>
      (await f.locator('.timeline g.bucket').count()) > 0 &&
      (await f.locator('.breakdown button.slice').count()) > 0 &&
      /\b\d+ records?\b/.test(await f.locator('.count').innerText({ timeout: 1000 })),
    'the chart, the breakdown and the table in the editor panel',
  );
  const renderMs = await f.locator('.timeline').getAttribute('data-render-ms');
  log(
    `audit chart: ${await f.locator('.timeline g.bucket').count()} bars drawn in ${renderMs} ms; ${await f.locator('.timeline-svg').getAttribute('aria-label')}`,
  );
  // Show the keyboard focus on a bar: the first Tab stops of the chart are the legend, Reset zoom, then the bars.
  await f.locator('.timeline g.bucket[tabindex="0"]').focus();
}

/**
 * Switches the colour theme from the palette and waits until the panel's page has the theme's kind
 * (the editor marks the webview's body with `vscode-light`, `vscode-dark` or `vscode-high-contrast`).
 */
async function auditEditorInTheme(page: Page, theme: string, kind: string, log: (msg: string) => void): Promise<void> {
  const f = await auditEditorFrame(page);
  const themed = async (): Promise<boolean> =>
    f.evaluate((k) => document.body.classList.contains(k) && document.body.classList.contains('surface-editor'), kind);
  if (!(await themed())) await pickTheme(page, theme);
  await retryUntil(themed, `the panel to take the ${theme} colours`);
  const colours = await f.evaluate(() => {
    const seg = document.querySelector('.timeline rect.seg');
    return { body: getComputedStyle(document.body).backgroundColor, bar: seg ? getComputedStyle(seg).fill : 'none' };
  });
  log(`${theme}: background ${colours.body}, first bar ${colours.bar}`);
  await f.locator('.timeline g.bucket[tabindex="0"]').focus();
}

/** Drags across the chart (a brush) and filters by a caller: the zoomed chart and the filtered table. */
async function zoomAuditChart(page: Page, log: (msg: string) => void): Promise<void> {
  const f = await auditEditorFrame(page);
  const before = await f.locator('.count').innerText();
  // Drag from just before the first bar with calls to just after the last one.
  const withCalls = f.locator('.timeline g.bucket:has(rect.seg) rect.hit');
  const first = await withCalls.first().boundingBox();
  const last = await withCalls.last().boundingBox();
  if (!first || !last) throw new Error('the chart has no bars with calls');
  const y = first.y + first.height / 2;
  await page.mouse.move(Math.max(first.x - 4, first.x - first.width / 2), y);
  await page.mouse.down();
  await page.mouse.move(last.x + last.width + 2, y, { steps: 8 });
  await page.mouse.up();
  await retryUntil(
    async () => !(await f.locator('button[data-chart="reset"]').isDisabled()),
    'the chart to zoom into the dragged range',
  );
  await f.locator('.breakdown .tool button.slice').first().click();
  await retryUntil(
    async () => (await f.locator('.breakdown .tool button.slice[aria-pressed="true"]').count()) === 1,
    'the tool filter to show as pressed',
  );
  if (/^0 records/.test(await f.locator('.count').innerText())) throw new Error('the zoomed, filtered table is empty');
  // The record details fit beside nothing else here: open the newest record of the filtered list.
  await retryUntil(async () => {
    if (/Record id/.test(await f.locator('.details').innerText({ timeout: 1000 }))) return true;
    await f.locator('.rows .row').first().click();
    return false;
  }, 'the record details in the editor panel');
  log(
    `zoomed: ${before} -> ${await f.locator('.count').innerText()}, range ${await f.locator('input[aria-label="From"]').inputValue()} .. ${await f.locator('input[aria-label="To"]').inputValue()}`,
  );
}

/** Console messages of the webview frames (and service-worker notes), logged when a step fails. */
export function collectWebviewConsole(page: Page): void {
  page.on('console', (m) => {
    const where = m.location().url;
    if (
      /\/webview\/|vscode-resource|vscode-cdn|vscode-webview/.test(where) ||
      /service worker|webview/i.test(m.text())
    ) {
      diagnostics.push(`console.${m.type()} ${where.slice(-80)}: ${m.text().slice(0, 300)}`);
      if (diagnostics.length > 200) diagnostics.shift();
    }
  });
}

/** Extra lines logged when a step fails. */
const diagnostics: string[] = [];

/** Texts of the notification toasts on screen (diagnostics when a step fails). */
async function visibleNotifications(page: Page): Promise<string[]> {
  const toasts = page.locator('.notification-toast .notification-list-item-message');
  return (await toasts.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' '));
}

/** Polls `check` (each call does one UI round-trip) until it returns true or the deadline passes. */
export async function retryUntil(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** URL without its query (authorization codes, state) for logs. */
function redactQuery(url: string): string {
  const u = new URL(url);
  const error = u.searchParams.get('error');
  const resource = u.searchParams.get('resource');
  return `${u.origin}${u.pathname}${u.search ? '?…' : ''}${resource ? ` (resource=${resource})` : ''}${error ? ` (error=${error}: ${u.searchParams.get('error_description') ?? ''})` : ''}`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- Gateway (issue 8): VS Code's own MCP client and chat go through MCP Secure ----------------------

/** The chat participant of the test-only fixture extension (test/fixtures/chatParticipant), installed next to ours. */
const PARTICIPANT_COMMAND = 'MCP Secure Test: Ask the Test Participant to Run an MCP Tool';
const ENABLE_CHAT_COMMAND = 'MCP Secure Test: Turn On Chat (AI features) for the Walk-through';

/**
 * "MCP: List Servers" shows the servers MCP Secure offers; starting one makes its tools VS Code tools;
 * a chat participant's call of one waits for VS Code's own confirmation, then runs through the gateway;
 * the audit panel, filtered by caller "chat", shows that call with its conversation.
 */
function gatewaySteps(o: WalkthroughOptions): [string, () => Promise<void>][] {
  const p = o.page;
  // VS Code names a tool mcp_<serverInfo.name>_<tool>; the gateway's serverInfo.name is the server id (≤ 13 chars here).
  const tool = `mcp_${o.httpServerId}_whoami`;
  return [
    ['mcp-list-servers', () => listMcpServers(o)],
    ['mcp-server-running', () => startMcpServer(p, o.httpServerName)],
    ['chat-confirmation', () => participantCall(p, tool)],
    ['chat-tool-result', () => allowInChat(p, tool)],
    ['audit-chat-call', () => auditChatCall(p, 'whoami')],
  ];
}

/** Chat is off in the walk-through's settings (quiet workbench): turn it on, then open "MCP: List Servers". */
async function listMcpServers(o: WalkthroughOptions): Promise<void> {
  // Keys typed while a webview (the audit panel or its editor tab) has focus stay in its frame: move the
  // focus back to the workbench document, then close the editors the earlier steps left open.
  await o.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await runPaletteCommand(o.page, 'View: Close All Editors');
  await runPaletteCommand(o.page, ENABLE_CHAT_COMMAND);
  await runPaletteCommand(o.page, 'MCP: List Servers');
  const list = o.page.locator('.quick-input-widget').first();
  await retryUntil(async () => {
    const text = await list.innerText({ timeout: 1000 });
    return text.includes(o.httpServerName) && text.includes(PROVIDER_LABEL);
  }, `"MCP: List Servers" to show ${o.httpServerName} from ${PROVIDER_LABEL}`);
}

/** Picks the server in the list, "Start Server", and reopens the list until it shows it running. */
async function startMcpServer(page: Page, serverName: string): Promise<void> {
  const quickInput = page.locator('.quick-input-widget').first();
  await quickInput.locator('.monaco-list-row', { hasText: serverName }).first().click();
  await quickInput.locator('.monaco-list-row', { hasText: 'Start Server' }).first().click();
  await retryUntil(async () => {
    await page.keyboard.press('Escape');
    await runPaletteCommand(page, 'MCP: List Servers');
    const row = quickInput.locator('.monaco-list-row', { hasText: serverName }).first();
    await row.waitFor({ timeout: 3000 });
    return /Running/i.test(await row.innerText());
  }, `${serverName} running in "MCP: List Servers"`);
}

/** The fixture's command sends `@mcpsecuretest <tool>`; VS Code asks before running it (the tool is not read-only). */
async function participantCall(page: Page, tool: string): Promise<void> {
  await page.keyboard.press('Escape');
  // Starting the server opened its output in the panel; hide it so the chat has the room.
  await runPaletteCommand(page, 'View: Hide Panel');
  await retryUntil(async () => {
    await runPaletteCommand(page, PARTICIPANT_COMMAND);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: tool }).first();
    return chooseListedRow(page, row);
  }, `${tool} among VS Code's tools`);
  await allowButton(page).waitFor({ timeout: STEP_TIMEOUT_MS });
}

function allowButton(page: Page): Locator {
  return page.locator('.interactive-session .monaco-button', { hasText: /^Allow/ }).first();
}

async function allowInChat(page: Page, tool: string): Promise<void> {
  await allowButton(page).click();
  const chat = page.locator('.interactive-session').first();
  await retryUntil(
    async () => (await chat.innerText({ timeout: 1000 })).includes(`${tool} returned`),
    `the participant to show what ${tool} returned`,
  );
}

/** The audit panel, filtered by caller "chat": the call made through the gateway, with its conversation. */
async function auditChatCall(page: Page, toolName: string): Promise<void> {
  // The chat view took the side bar: open the audit log in an editor tab (a fresh page, no filters left over).
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await runPaletteCommand(page, 'MCP Secure: Open Audit Log in Editor');
  let frame: Frame | undefined;
  await retryUntil(async () => Boolean((frame = await auditFrame(page))), 'the audit panel frame');
  const f = frame as Frame;
  await f.locator('input.search').fill('');
  await f.locator('select[aria-label="Outcome"]').selectOption('');
  await retryUntil(
    async () => (await f.locator('select[aria-label="Caller"] option[value="chat"]').count()) > 0,
    'the caller "chat" in the Caller filter',
  );
  await f.locator('select[aria-label="Caller"]').selectOption('chat');
  const row = f.locator('.rows .row', { hasText: toolName }).first();
  await retryUntil(
    async () => /\b1 record\b/.test(await f.locator('body').innerText({ timeout: 1000 })) && (await row.isVisible()),
    'the audit list filtered to the chat call',
  );
  await retryUntil(async () => {
    const details = await f.locator('.details').innerText({ timeout: 1000 });
    if (/chat · conversation/.test(details) && details.includes(toolName)) return true;
    await row.click();
    return false;
  }, 'the chat call opened in the details pane');
}
