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
