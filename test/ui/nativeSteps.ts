/**
 * Walk-through steps for issue 12 (native feel): the security report, the status bar item and the Get
 * Started walkthrough, each photographed in the light, dark and high-contrast themes. Driven like a
 * user: the command palette, the theme picker, hovering and clicking the status bar.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { STEP_TIMEOUT_MS, chooseListedRow, retryUntil, runPaletteCommand } from './walkthrough';

/** The new views are photographed in each of these (theme picker labels). */
export const THEMES = [
  ['light', 'Light Modern'],
  ['dark', 'Dark Modern'],
  ['hc', 'Dark High Contrast'],
] as const;

/** Runs the palette command titled exactly `title` (fuzzy matching may put another one first). */
async function runExactPaletteCommand(page: Page, title: string): Promise<void> {
  const widget = page.locator('.quick-input-widget').first();
  await retryUntil(async () => {
    await page.keyboard.press('F1');
    await widget.locator('input').first().fill(`>${title}`);
    const row = widget
      .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${title}$`) }) })
      .first();
    return chooseListedRow(page, row);
  }, `the palette to list "${title}"`);
}

/** The label of the focused row of a quick pick (empty while none is focused). */
async function focusedLabel(widget: Locator): Promise<string> {
  const label = await widget
    .locator('.monaco-list-row.focused .label-name')
    .first()
    .innerText()
    .catch(() => '');
  return label.trim();
}

/** Picks a colour theme in "Preferences: Color Theme"; returns the label that was active before. */
export async function pickTheme(page: Page, label: string): Promise<string> {
  await page.keyboard.press('Escape');
  await runExactPaletteCommand(page, 'Preferences: Color Theme');
  const widget = page.locator('.quick-input-widget').first();
  await widget.locator('.monaco-list-row').first().waitFor({ timeout: STEP_TIMEOUT_MS });
  const before = await focusedLabel(widget);
  await widget.locator('input').first().fill(label);
  await retryUntil(async () => {
    return (await focusedLabel(widget)) === label;
  }, `the theme picker to offer "${label}"`);
  await page.keyboard.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  return before;
}

/**
 * Screenshots `name-<theme>.png` in each theme; `arrange` re-creates the state to photograph (hovers
 * end when the theme picker opens). Restores the theme that was active.
 */
async function inEveryTheme(page: Page, dir: string, name: string, arrange: () => Promise<void>): Promise<void> {
  let original = '';
  for (const [key, label] of THEMES) {
    const before = await pickTheme(page, label);
    original ||= before;
    await arrange();
    await page.screenshot({ path: path.join(dir, `${name}-${key}.png`) });
  }
  if (original && original !== THEMES[2][1]) await pickTheme(page, original);
  await arrange();
}

/** "MCP Secure: Check Server Security…" from the palette: the rendered report opens beside its source. */
export async function securityReport(page: Page, dir: string): Promise<void> {
  await page.keyboard.press('Escape');
  await runPaletteCommand(page, 'MCP Secure: Check Server Security');
  const preview = page.locator('.tabs-container .tab', { hasText: /Preview security-report-/ }).first();
  await preview.waitFor({ timeout: STEP_TIMEOUT_MS });
  const frame = async (): Promise<boolean> => {
    for (const f of page.frames()) {
      const text = await f
        .locator('body')
        .innerText({ timeout: 500 })
        .catch(() => '');
      if (text.includes('Security report:') && text.includes('PKCE S256')) return true;
    }
    return false;
  };
  await retryUntil(frame, 'the rendered security report');
  // One editor group for the picture: the rendered report, full width.
  await preview.click();
  await runPaletteCommand(page, 'View: Join Editor Group with Next Group');
  await page.keyboard.press('Escape');
  await retryUntil(frame, 'the rendered security report after joining groups');
  await inEveryTheme(page, dir, 'security-report', async () => {
    await preview.click();
    await retryUntil(frame, 'the rendered security report');
  });
}

/** The status bar item: its count, its tooltip on hover; a click opens the Servers view. */
export async function statusBar(page: Page, dir: string): Promise<void> {
  const item = page.locator('.part.statusbar .statusbar-item', { hasText: /MCP \d+\/\d+/ }).first();
  await item.waitFor({ timeout: STEP_TIMEOUT_MS });
  const hover = async (): Promise<void> => {
    await page.mouse.move(0, 0);
    await item.hover();
    await page
      .locator('.monaco-hover, .workbench-hover', { hasText: 'server(s) connected' })
      .first()
      .waitFor({ timeout: STEP_TIMEOUT_MS });
  };
  await inEveryTheme(page, dir, 'status-bar', hover);
  await item.click();
  await page
    .locator('.part.sidebar .pane-header', { hasText: 'Servers' })
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  await hover();
}

/** "Help: Welcome" → the extension's walkthrough in the list → its Get Started page, with the sign-in step selected. */
export async function getStarted(page: Page, dir: string): Promise<void> {
  await page.keyboard.press('Escape');
  await runExactPaletteCommand(page, 'Help: Welcome');
  const container = page.locator('.gettingStartedContainer').first();
  const entry = container
    .locator('button', { hasText: 'Get started with MCP Secure' })
    .filter({ visible: true })
    .first();
  // A theme change may re-render the Welcome page at its start, or close it: open the walkthrough again when needed.
  const openWalkthrough = (): Promise<void> =>
    retryUntil(async () => {
      // The details slide stays in the DOM (off-screen) on the start page: the active tab's title tells which is shown.
      const shown = page.locator('.tabs-container .tab.active', { hasText: 'Walkthrough: MCP Secure' });
      if (
        (await shown.count()) > 0 &&
        (await container.locator('.getting-started-step', { hasText: 'Add or import a server' }).first().isVisible())
      )
        return true;
      if (await entry.isVisible()) await entry.click();
      else await runExactPaletteCommand(page, 'Help: Welcome');
      return false;
    }, 'the MCP Secure walkthrough');
  const selectStep = async (title: string): Promise<void> => {
    await openWalkthrough();
    const step = container.locator('.getting-started-step', { hasText: title }).first();
    await retryUntil(async () => {
      if ((await step.getAttribute('aria-expanded')) === 'true') return true;
      await step.click();
      return false;
    }, `the "${title}" step to open`);
    // The step's SVG is rendered in a webview: wait for its picture to be in.
    await retryUntil(async () => {
      for (const f of page.frames())
        if (
          await f
            .locator('svg[role="img"]')
            .count()
            .catch(() => 0)
        )
          return true;
      return false;
    }, `the "${title}" picture`);
  };
  await inEveryTheme(page, dir, 'get-started', () => selectStep('Sign in from the Accounts menu'));
  await selectStep('Check a server');
  await page.screenshot({ path: path.join(dir, 'get-started-check-security.png') });
  await selectStep('Let chat use your servers');
  await page.screenshot({ path: path.join(dir, 'get-started-chat.png') });
  await selectStep('Add or import a server');
}
