/**
 * What the UI walk-through accepts as "done", as pure predicates (unit-tested in
 * test/unit/uiExpectations.test.ts), so a step cannot pass on a look-alike: a "Disconnected" row, some other
 * JSON tab, or a dialog nobody expected.
 */

/**
 * A Servers-tree row shows a live connection: the description reads `Connected (<wire>, <version>)`
 * (`Strings.stateRunning`), never "Disconnected", "Connecting…" or an error.
 */
export function showsConnected(rowText: string): boolean {
  return /(^|\s)Connected \([^)]+\)/.test(rowText);
}

/** The tab "MCP Secure: Call Tool…" opens for a result: `<server id>-<tool>.json` (ResultDocuments.show). */
export function resultTabLabel(serverId: string, tool: string): string {
  return `${serverId}-${tool}.json`;
}

/** A modal prompt the sign-in is expected to raise, the only button the walk-through may press on it. */
export interface ExpectedPrompt {
  readonly name: string;
  readonly text: RegExp;
  readonly button: string;
}

/**
 * The prompts a sign-in from the Accounts menu may raise, each by name. Any other dialog is a finding: the
 * walk-through stops instead of consenting to it.
 */
export const SIGN_IN_PROMPTS: readonly ExpectedPrompt[] = [
  {
    name: 'consent-dialog',
    text: /^The extension 'MCP Secure Connections' wants to sign in using MCP Secure Connections\./,
    button: 'Allow',
  },
  {
    name: 'open-link-dialog',
    text: /^Do you want .+ to open the external website\?/,
    button: 'Open',
  },
];

/** The expected prompt this dialog text is, or undefined for one nobody expected. */
export function expectedPrompt(
  dialogText: string,
  prompts: readonly ExpectedPrompt[] = SIGN_IN_PROMPTS,
): ExpectedPrompt | undefined {
  const text = dialogText.replace(/\s+/g, ' ').trim();
  return prompts.find((p) => p.text.test(text));
}
