/**
 * The one translation function of the extension layer. Every user-visible message is written as a
 * literal `t('English text with {0}', arg)` (scripts/l10nBundle.ts collects those literals into
 * l10n/bundle.l10n.json, the key table translators work from). At activation the composition root
 * hands in `vscode.l10n.t` (`useTranslator`); until then — and in plain-Node unit tests, where there is
 * no `vscode` module — messages are formatted untranslated, with the same `{n}` rules.
 *
 * No runtime `vscode` import here, so `Strings` and the modules built on it stay unit-testable.
 */
import { formatMessage } from '../core/common/formatMessage';

/** The shape of `vscode.l10n.t` this module uses: a message with `{n}` placeholders and positional arguments. */
export type Translator = (message: string, ...args: (string | number | boolean)[]) => string;

let translator: Translator = formatMessage;

/** Routes every later `t(...)` through `translate` (the composition root passes `vscode.l10n.t`). */
export function useTranslator(translate: Translator): void {
  translator = translate;
}

/**
 * Translates `message` and fills its `{n}` placeholders with `args`. Callers pass arguments that are
 * already safe to show (`Strings` sanitises its own); the placeholders are filled in one pass, so an
 * argument is never re-read as a placeholder or as part of the message.
 */
export function t(message: string, ...args: (string | number | boolean)[]): string {
  return translator(message, ...args);
}

/**
 * Translates one constant of a string table (`Strings`' constants, read through a getter). Not `t`:
 * its message is not a literal here, and scripts/l10nBundle.ts reads it from the table instead.
 */
export function translateConstant(message: string): string {
  return translator(message);
}

/**
 * Translates every entry of a table of constant messages (the audit webview's `WEBVIEW_STRINGS`, whose
 * English literals scripts/l10nBundle.ts reads from the table itself).
 */
export function translateTable<K extends string>(table: Readonly<Record<K, string>>): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const key of Object.keys(table) as K[]) out[key] = translator(table[key]);
  return out;
}
