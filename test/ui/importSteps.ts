/**
 * Walk-through steps for issue 12, item 7: "MCP Secure: Import Servers…" as a user meets it. The
 * harness wrote sample files of VS Code (user mcp.json), Claude Desktop and Cursor into the editor's
 * scratch folders (scripts/harness/importSamples.mjs). Photographed: the source picker with the server
 * count of each source, then the preview (added / skipped and why, where credentials go), which is
 * cancelled so later steps see the same servers.
 */
import type { Page } from 'playwright-core';
import { STEP_TIMEOUT_MS, retryUntil, runPaletteCommand } from './walkthrough';

const USER_MCP_JSON = 'VS Code (user mcp.json)';

/** The source picker: one row per client file found, with how many servers it defines. */
export async function importSources(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await runPaletteCommand(page, 'MCP Secure: Import Servers');
  const widget = page.locator('.quick-input-widget').first();
  for (const label of [USER_MCP_JSON, 'Claude Desktop', 'Cursor (user mcp.json)'])
    await widget.locator('.monaco-list-row', { hasText: label }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await retryUntil(
    async () => /4 server\(s\)/.test(await widget.innerText()),
    'the picker to count the servers of the user mcp.json',
  );
}

/** The preview of VS Code's user mcp.json: two added, two skipped with their reasons; then Cancel. */
export async function importPreview(page: Page, screenshot: (file: string) => Promise<void>): Promise<void> {
  const widget = page.locator('.quick-input-widget').first();
  const row = widget.locator('.monaco-list-row', { hasText: USER_MCP_JSON }).first();
  // the picker can lose focus and close between two steps (a chat notification): open it again then
  if (!(await row.isVisible())) await importSources(page);
  await row.click();
  const dialog = page.locator('.monaco-dialog-box').first();
  await dialog.waitFor({ timeout: STEP_TIMEOUT_MS });
  await retryUntil(async () => {
    const text = await dialog.innerText();
    return /Add 2 server\(s\)/.test(text) && /skipped, invalid URL/.test(text) && /skipped, uses variables/.test(text);
  }, 'the preview to list what is added and what is skipped');
  await screenshot('import-preview');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
}
