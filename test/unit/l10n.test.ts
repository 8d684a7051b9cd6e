import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { BUNDLE_PATH, bundleText, extractMessages, translatedSources } from '../../scripts/l10nBundle';
import { formatMessage } from '../../src/core/common/formatMessage';
import { t, translateTable, useTranslator } from '../../src/vscode/localize';
import { Strings } from '../../src/vscode/strings';
import { WEBVIEW_STRINGS } from '../../src/webview/webviewStrings';

const ROOT = path.resolve(__dirname, '..', '..');

/** Calls that show their arguments to the user as they are, from the given argument on. */
const SHOW_METHODS = new Map([
  ['showInformationMessage', 0],
  ['showWarningMessage', 0],
  ['showErrorMessage', 0],
  ['notify', 1], // the audit panel's notify(level, text)
  ['reportFailure', 1], // reportFailure(logger, task, error)
  ['setStatus', 1], // setStatus(level, text)
]);
/** Properties that put text on an editor surface (quick picks, input boxes, progress, tree items, status bar). */
const TEXT_PROPERTIES = new Set([
  'title',
  'placeHolder',
  'prompt',
  'label',
  'description',
  'detail',
  'tooltip',
  'text',
]);
/** Constructors whose arguments become visible text. */
const TEXT_CONSTRUCTORS = new Set(['TreeItem', 'McpSecureError', 'MarkdownString']);
/**
 * Literals that stay as they are in every language, each with why: an example URL as an input box
 * placeholder, and technical tokens (protocol names) that are not words.
 */
const ALLOWED_LITERALS = new Set(['https://mcp.example.com/mcp', 'HTTP', 'stdio']);

/** A literal (or a template's fixed text) holding a word: text a translator would have to see. */
function wordyLiteral(node: ts.Expression): string | undefined {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return wordyLiteral(node.expression);
  if (ts.isConditionalExpression(node)) return wordyLiteral(node.whenTrue) ?? wordyLiteral(node.whenFalse);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return wordyLiteral(node.left) ?? wordyLiteral(node.right);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    return wordyLiteral(node.right);
  let text: string | undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
  else if (ts.isTemplateExpression(node))
    text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  if (text === undefined || ALLOWED_LITERALS.has(text)) return undefined;
  return /[A-Za-z]{2,}/.test(text) ? text : undefined;
}

function calleeName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return undefined;
}

/** Every un-externalised user-visible string in `file`, as `file:line: text`. */
export function unexternalisedStrings(file: string, source = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node, text: string): void => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push(`${path.relative(ROOT, file)}:${line + 1}: ${text.slice(0, 70)}`);
  };
  const check = (expr: ts.Expression | undefined): void => {
    const text = expr && wordyLiteral(expr);
    if (expr && text !== undefined) report(expr, text);
  };
  const visit = (node: ts.Node): void => {
    const shows = ts.isCallExpression(node) ? SHOW_METHODS.get(calleeName(node.expression) ?? '') : undefined;
    if (ts.isCallExpression(node) && shows !== undefined) node.arguments.slice(shows).forEach(check);
    if (ts.isNewExpression(node) && TEXT_CONSTRUCTORS.has(calleeName(node.expression) ?? ''))
      // McpSecureError(code, message): the code is an identifier, the message is text
      (node.arguments ?? []).slice(calleeName(node.expression) === 'McpSecureError' ? 1 : 0).forEach(check);
    if (ts.isPropertyAssignment(node) && TEXT_PROPERTIES.has(node.name.getText(sf))) check(node.initializer);
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      (TEXT_PROPERTIES.has(node.left.name.text) || node.left.name.text === 'name')
    )
      check(node.right);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('localisation (issue 12, item 5)', () => {
  afterEach(() => useTranslator(formatMessage));

  it('finds no user-visible string outside Strings / t() in src/extension.ts and src/vscode/**', () => {
    const offenders = translatedSources(ROOT)
      .filter((f) => !f.endsWith(`${path.sep}strings.ts`) && !f.endsWith(`${path.sep}testApi.ts`))
      .flatMap((f) => unexternalisedStrings(f));
    assert.deepEqual(offenders, []);
  });

  it('the scan catches a literal notification, quick pick title, tree item label, error and status text', () => {
    const sample = [
      "vscode.window.showInformationMessage('Signed in.');",
      'vscode.window.showWarningMessage(Strings.remove, { modal: true }, `Remove ${name}`);',
      "vscode.window.showQuickPick(items, { title: 'Choose a server', placeHolder: t('Pick one') });",
      "const item = new vscode.TreeItem('Granted scopes');",
      "item.tooltip = ok ? Strings.granted : 'requested, not granted';",
      "throw new McpSecureError('cancelled', 'The request was cancelled.');",
      "status.text = '$(shield) MCP';",
    ].join('\n');
    const found = unexternalisedStrings(path.join(ROOT, 'sample.ts'), sample).map((f) => f.replace(/^[^:]*:/, ''));
    assert.deepEqual(found, [
      '1: Signed in.',
      '2: Remove  ',
      '3: Choose a server',
      '4: Granted scopes',
      '5: requested, not granted',
      '6: The request was cancelled.',
      '7: $(shield) MCP',
    ]);
  });

  it('every t() message is a literal, and l10n/bundle.l10n.json holds exactly the extracted messages', () => {
    const { messages, problems } = extractMessages(ROOT);
    assert.deepEqual(problems, [], 'write t("literal", args) so the message can be extracted');
    assert.ok(messages.includes('Signing in to {0}…'), 'a Strings function');
    assert.ok(messages.includes('Cancelled.'), 'a Strings constant');
    assert.ok(messages.includes(WEBVIEW_STRINGS.chartTitle), 'a webview text');
    assert.equal(
      readFileSync(path.join(ROOT, BUNDLE_PATH), 'utf8'),
      bundleText(messages),
      'l10n/bundle.l10n.json is out of date: run npm run l10n',
    );
  });

  it('Strings read through vscode.l10n.t: constants when read, functions with their sanitised arguments', () => {
    const seen: string[][] = [];
    useTranslator((message, ...args) => {
      seen.push([message, ...args.map(String)]);
      return formatMessage(`«${message}»`, ...args);
    });
    assert.equal(Strings.cancelled, '«Cancelled.»');
    assert.equal(Strings.connecting('[Open](command:mcpSecure.addServer) $(alert)srv'), '«Connecting to Open srv…»');
    assert.deepEqual(seen.at(-1), ['Connecting to {0}…', 'Open srv']);
    // a translation that moves or repeats a placeholder still only ever gets the sanitised argument
    useTranslator((message, ...args) => formatMessage('{0} {0} {1}', ...args));
    assert.equal(Strings.signedIn('<command:x>', '{1}'), '\u2039 \u203A \u2039 \u203A {1}');
  });

  it('the webview table is translated by the host in one piece', () => {
    useTranslator((message) => `«${message}»`);
    const table = translateTable(WEBVIEW_STRINGS);
    assert.deepEqual(Object.keys(table), Object.keys(WEBVIEW_STRINGS));
    assert.equal(table.chartTitle, `«${WEBVIEW_STRINGS.chartTitle}»`);
    useTranslator(formatMessage);
    assert.equal(t('{0} of {1}', 1, 2), '1 of 2');
  });
});

describe('manifest localisation (package.nls.json)', () => {
  const manifestText = readFileSync(path.join(ROOT, 'package.json'), 'utf8');
  const nls = JSON.parse(readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const used = [...manifestText.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] as string);

  it('every %key% in package.json exists in package.nls.json, and every key there is used', () => {
    assert.deepEqual(
      used.filter((k) => !(k in nls)),
      [],
      'keys missing from package.nls.json',
    );
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.includes(k)),
      [],
      'unused keys in package.nls.json',
    );
    for (const [k, v] of Object.entries(nls)) assert.ok(typeof v === 'string' && v.trim(), `empty text for ${k}`);
  });

  it('leaves no user-visible manifest text as a literal (titles, names, descriptions, walkthrough texts)', () => {
    const pkg = JSON.parse(manifestText) as Record<string, unknown>;
    const visible = new Set([
      'title',
      'label',
      'name',
      'description',
      'markdownDescription',
      'contents',
      'altText',
      'contextualTitle',
      'enumDescriptions',
      'markdownEnumDescriptions',
    ]);
    // The product name, as the code registers it (AUTH_PROVIDER_LABEL; the gateway's provider label): not a phrase.
    const productNames = ['contributes.authentication[0].label', 'contributes.mcpServerDefinitionProviders[0].label'];
    const literals: string[] = [];
    const walk = (value: unknown, where: string, key: string): void => {
      if (typeof value === 'string') {
        if (visible.has(key) && !/^%[^%]+%$/.test(value) && !productNames.includes(where))
          literals.push(`${where}: ${value.slice(0, 50)}`);
      } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`, key));
      else if (value && typeof value === 'object')
        // under "properties" the keys are setting or field names, not text kinds
        for (const [k, v] of Object.entries(value)) walk(v, `${where}.${k}`, key === 'properties' ? '' : k);
    };
    for (const top of ['displayName', 'description', 'contributes', 'capabilities'])
      walk(pkg[top], top, top === 'displayName' ? 'title' : top);
    assert.deepEqual(literals, []);
  });

  it('names the l10n bundle folder and packages it with package.nls.json', () => {
    const pkg = JSON.parse(manifestText) as { l10n?: string };
    assert.equal(pkg.l10n, './l10n');
    const ignore = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    for (const needed of ['!l10n/**', '!package.nls*.json']) assert.ok(ignore.includes(needed), needed);
  });
});
