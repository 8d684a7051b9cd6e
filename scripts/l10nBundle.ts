/**
 * Writes l10n/bundle.l10n.json, the English message table translators start from (VS Code loads
 * `l10n/bundle.l10n.<language>.json` next to it for `vscode.l10n.t`; package.json names the folder).
 * `@vscode/l10n-dev` is not a dependency, so this small extractor does its job for our conventions:
 *
 * - every `t('literal', …)` / `l10n.t('literal', …)` call in src/extension.ts and src/vscode/**;
 * - the constant entries of the string tables that are translated when read: `TEXT` in
 *   src/vscode/strings.ts and `WEBVIEW_STRINGS` in src/webview/webviewStrings.ts (the host translates
 *   the latter and hands it to the audit webview).
 *
 * A `t(...)` whose message is not a literal cannot be extracted (nor translated): it is reported as a
 * problem, and test/unit/l10n.test.ts fails on it, as it does when the bundle is out of date.
 *   npm run l10n            # rewrite the bundle
 *   npm run l10n -- --check # exit 1 if the bundle is out of date
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const BUNDLE_PATH = path.join('l10n', 'bundle.l10n.json');

/** The string tables whose constant (string literal) entries are messages. */
const TABLES: readonly { readonly file: string; readonly name: string }[] = [
  { file: 'src/vscode/strings.ts', name: 'TEXT' },
  { file: 'src/webview/webviewStrings.ts', name: 'WEBVIEW_STRINGS' },
];

export interface Extraction {
  /** Every message, de-duplicated and sorted. */
  readonly messages: readonly string[];
  /** `file:line: what` for every `t(...)` whose message is not a literal. */
  readonly problems: readonly string[];
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFilesUnder(path.join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [path.join(dir, e.name)]
        : [],
  );
}

/** The source files whose `t(...)` calls are collected (relative to `root`). */
export function translatedSources(root: string): string[] {
  return [path.join(root, 'src', 'extension.ts'), ...tsFilesUnder(path.join(root, 'src', 'vscode'))];
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** `t(...)` or `l10n.t(...)` (also `vscode.l10n.t(...)`). */
function isTranslateCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === 't';
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 't' &&
    ((ts.isIdentifier(callee.expression) && callee.expression.text === 'l10n') ||
      (ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'l10n'))
  );
}

function collectCalls(source: ts.SourceFile, root: string, messages: Set<string>, problems: string[]): void {
  const visit = (node: ts.Node): void => {
    if (isTranslateCall(node)) {
      const text = literalText(node.arguments[0]);
      if (text === undefined) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        problems.push(`${path.relative(root, source.fileName)}:${line + 1}: ${node.getText(source).slice(0, 80)}`);
      } else messages.add(text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function collectTable(source: ts.SourceFile, name: string, messages: Set<string>, problems: string[]): void {
  let found = false;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) {
      let init = node.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
      if (init && ts.isObjectLiteralExpression(init)) {
        found = true;
        for (const prop of init.properties) {
          const text = ts.isPropertyAssignment(prop) ? literalText(prop.initializer) : undefined;
          if (text !== undefined) messages.add(text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) problems.push(`${source.fileName}: no table named ${name}`);
}

/** Collects every message of the extension (see the file comment for where from). */
export function extractMessages(root: string): Extraction {
  const messages = new Set<string>();
  const problems: string[] = [];
  for (const file of translatedSources(root)) collectCalls(parse(file), root, messages, problems);
  for (const table of TABLES) collectTable(parse(path.join(root, table.file)), table.name, messages, problems);
  return { messages: [...messages].sort(), problems };
}

/** The bundle file's text: each English message keyed by itself, sorted, as Prettier formats JSON. */
export function bundleText(messages: readonly string[]): string {
  return `${JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2)}\n`;
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const { messages, problems } = extractMessages(root);
  if (problems.length > 0) {
    process.stderr.write(`messages that are not literals (write t('…', args)):\n${problems.join('\n')}\n`);
    process.exit(1);
  }
  const target = path.join(root, BUNDLE_PATH);
  const text = bundleText(messages);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing counts as out of date
    }
    if (current !== text) {
      process.stderr.write(`${BUNDLE_PATH} is out of date: run npm run l10n\n`);
      process.exit(1);
    }
    return;
  }
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  process.stdout.write(`wrote ${BUNDLE_PATH} (${messages.length} messages)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) main();
