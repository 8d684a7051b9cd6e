import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildOptions, missingEntryPoints } from '../../esbuild.config.mjs';
import {
  AUTH_PROVIDER_ID,
  AUTH_PROVIDER_LABEL,
  AuditCommands,
  Commands,
  ContextKeys,
  EXTENSION_ID,
  GatewayCommands,
  NativeCommands,
  RESTRICTED_SETTINGS,
  Settings,
  Views,
  WALKTHROUGH_ID,
} from '../../src/vscode/constants';

const ROOT = path.resolve(__dirname, '..', '..');
interface Manifest {
  main: string;
  icon?: string;
  activationEvents?: string[];
  capabilities?: { untrustedWorkspaces?: { supported: unknown; restrictedConfigurations?: string[] } };
  contributes: {
    commands: { command: string; title: string; category?: string; icon?: string }[];
    authentication: { id: string; label: string }[];
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string; type?: string; icon?: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { properties: Record<string, unknown> };
    walkthroughs?: {
      id: string;
      title: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { svg?: string; image?: string; altText: string };
        completionEvents?: string[];
      }[];
    }[];
  };
}
/** The manifest as the editor reads it: each `%key%` replaced by its English text from package.nls.json. */
const nls = JSON.parse(readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
const pkg = JSON.parse(
  readFileSync(path.join(ROOT, 'package.json'), 'utf8').replace(/"%([^%"]+)%"/g, (m, key: string) =>
    key in nls ? JSON.stringify(nls[key]) : m,
  ),
) as Manifest;
const contributedCommands = pkg.contributes.commands.map((c) => c.command);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

describe('extension manifest vs constant tables', () => {
  it('contributes exactly the commands of the Commands, AuditCommands, GatewayCommands and NativeCommands tables, all in the "MCP Secure" category', () => {
    assert.deepEqual(
      [...contributedCommands].sort(),
      [
        ...Object.values(Commands),
        ...Object.values(AuditCommands),
        ...Object.values(GatewayCommands),
        ...Object.values(NativeCommands),
      ].sort(),
    );
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'MCP Secure', c.command);
    assert.equal(new Set(contributedCommands).size, contributedCommands.length, 'duplicate command contribution');
  });

  it('the audit editor tab restores after a reload (activation event)', () => {
    assert.ok(pkg.activationEvents?.includes(`onWebviewPanel:${Views.auditLogEditor}`));
  });

  it('menus only reference contributed commands, and every command is reachable from a view menu', () => {
    const inViews = new Set<string>();
    for (const [menu, items] of Object.entries(pkg.contributes.menus)) {
      for (const item of items) {
        assert.ok(contributedCommands.includes(item.command), `${menu} references unknown ${item.command}`);
        if (menu.startsWith('view/')) inViews.add(item.command);
      }
    }
    for (const c of contributedCommands) assert.ok(inViews.has(c), `${c} is in no view menu`);
  });

  it('contributes the views of the Views table in the own activity-bar container', () => {
    assert.deepEqual(
      pkg.contributes.viewsContainers.activitybar.map((c) => c.id),
      [Views.container],
    );
    const views = pkg.contributes.views[Views.container] ?? [];
    assert.deepEqual(views.map((v) => v.id).sort(), [Views.auditLog, Views.servers].sort());
    assert.equal(views.find((v) => v.id === Views.auditLog)?.type, 'webview');
    for (const icon of [...pkg.contributes.viewsContainers.activitybar.map((c) => c.icon), pkg.icon ?? '']) {
      assert.ok(existsSync(path.join(ROOT, icon)), `missing icon ${icon}`);
    }
    assert.ok(
      pkg.contributes.viewsWelcome.some((w) => w.view === Views.servers && w.when?.includes(ContextKeys.hasServers)),
    );
  });

  it('when clauses only use context keys from the ContextKeys table (or built-ins)', () => {
    const builtIns = new Set(['view', 'viewItem', 'false', 'true']);
    const whens = [
      ...Object.values(pkg.contributes.menus)
        .flat()
        .map((m) => m.when ?? ''),
      ...pkg.contributes.viewsWelcome.map((w) => w.when ?? ''),
    ];
    const ours = new Set<string>(Object.values(ContextKeys));
    for (const when of whens) {
      const withoutRegex = when.replace(/=~\s*\/[^/]*\//g, '').replace(/==\s*[\w.:-]+/g, '');
      for (const key of withoutRegex.match(/[A-Za-z][\w.]*/g) ?? []) {
        assert.ok(builtIns.has(key) || ours.has(key), `unknown context key "${key}" in "${when}"`);
      }
    }
  });

  it('contributes exactly the settings of the Settings table; restricted settings match', () => {
    const contributed = Object.keys(pkg.contributes.configuration.properties).sort();
    const table = Object.entries(Settings)
      .filter(([k]) => k !== 'section')
      .map(([, v]) => v)
      .sort();
    assert.deepEqual(contributed, table);
    assert.deepEqual(
      [...(pkg.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [])].sort(),
      [...RESTRICTED_SETTINGS].sort(),
    );
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, 'limited');
  });

  it('every restricted setting says in its Settings UI description that an untrusted workspace cannot set it', () => {
    const properties = pkg.contributes.configuration.properties as Record<
      string,
      { markdownDescription?: string; description?: string }
    >;
    for (const key of RESTRICTED_SETTINGS) {
      const text = properties[key]?.markdownDescription ?? properties[key]?.description ?? '';
      assert.match(text, /untrusted|Restricted Mode|ignored in workspace settings/i, key);
    }
  });

  it('contributes the authentication provider the code registers', () => {
    assert.deepEqual(pkg.contributes.authentication, [{ id: AUTH_PROVIDER_ID, label: AUTH_PROVIDER_LABEL }]);
  });

  it('packages from an allowlist that contains the bundle', () => {
    const lines = readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '**');
    // dist/bridge.js is the program VS Code runs for every gateway definition (issue 8); dist/auditWorker.js
    // the audit store's thread (issue 9): without it the packaged extension records no tool call.
    for (const needed of [
      '!dist/extension.js',
      '!dist/bridge.js',
      '!dist/auditWorker.js',
      '!package.json',
      '!media/**',
    ])
      assert.ok(lines.includes(needed), needed);
    const outfiles = buildOptions({ production: true }).map((b) => b.outfile);
    for (const bundle of ['dist/extension.js', 'dist/bridge.js', 'dist/auditWorker.js', 'dist/webview.js'])
      assert.ok(outfiles.includes(bundle), `npm run build does not produce ${bundle}`);
    assert.deepEqual(missingEntryPoints(buildOptions({ production: true })), []);
    assert.equal(pkg.main, './dist/extension.js');
  });
});

describe('Get Started walkthrough', () => {
  const walkthroughs = pkg.contributes.walkthroughs ?? [];
  /**
   * The editor's own commands a step may run: the chat, the MCP server list and the Settings editor
   * (all present in the VS Code build the real-editor tests run, see test/integration/suite/native.test.ts).
   */
  const builtInCommands = ['workbench.action.chat.open', 'workbench.mcp.listServer', 'workbench.action.openSettings'];
  /** Commands VS Code generates for contributed views (`<view id>.focus`). */
  const viewFocus = Object.values(pkg.contributes.views)
    .flat()
    .map((v) => `${v.id}.focus`);

  it('is contributed under the id the code opens', () => {
    assert.deepEqual(
      walkthroughs.map((w) => `${EXTENSION_ID}#${w.id}`),
      [WALKTHROUGH_ID],
    );
  });

  it('gives every step a command button whose command exists, and an image that exists', () => {
    const steps = walkthroughs[0]?.steps ?? [];
    assert.equal(
      steps.length,
      7,
      'add, sign in, connect, call a tool, review the audit log, let chat use the server, check security',
    );
    for (const step of steps) {
      // a button may pass arguments (`command:id?<encoded JSON>`)
      const commands = [...step.description.matchAll(/\]\(command:([\w.]+)(?:\?[^)\s]*)?\)/g)].map(
        (m) => m[1] as string,
      );
      assert.ok(commands.length > 0, `step ${step.id} has no command button`);
      for (const c of commands)
        assert.ok(
          contributedCommands.includes(c) || viewFocus.includes(c) || builtInCommands.includes(c),
          `step ${step.id} runs unknown command ${c}`,
        );
      for (const event of step.completionEvents ?? []) {
        const command = /^onCommand:(.+)$/.exec(event)?.[1];
        if (command)
          assert.ok(
            contributedCommands.includes(command) || builtInCommands.includes(command),
            `step ${step.id} completes on unknown command ${command}`,
          );
      }
      const media = step.media.svg ?? step.media.image ?? '';
      assert.ok(media && existsSync(path.join(ROOT, media)), `step ${step.id}: missing media ${media}`);
      assert.ok(step.media.altText.length > 10, `step ${step.id}: alt text`);
    }
    assert.deepEqual(
      steps.slice(0, 6).map((s) => s.id),
      ['addServer', 'signIn', 'connect', 'callTool', 'reviewAudit', 'chatGateway'],
      'the order of issue 12, item 3',
    );
  });
});

describe('marketplace package', () => {
  const full = pkg as unknown as Record<string, unknown> & { categories: string[]; keywords: string[] };

  it('has the gallery fields a marketplace listing needs', () => {
    const png = readFileSync(path.join(ROOT, full.icon as string));
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'a 128×128 icon');
    assert.match(String((full.galleryBanner as { color?: string }).color), /^#[0-9A-Fa-f]{6}$/);
    assert.match(String((full.bugs as { url?: string }).url), /^https:\/\//);
    assert.match(String((full.repository as { url?: string }).url), /^https:\/\//);
    assert.match(String(full.homepage), /^https:\/\//);
    for (const k of ['mcp', 'oauth', 'security', 'audit']) assert.ok(full.keywords.includes(k), k);
    assert.ok(full.categories.includes('AI'));
    assert.ok(existsSync(path.join(ROOT, 'CHANGELOG.md')));
  });
});

describe('layering', () => {
  it('src/core never imports vscode', () => {
    const offenders = filesUnder(path.join(ROOT, 'src', 'core'))
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(
          readFileSync(f, 'utf8'),
        ),
      );
    assert.deepEqual(offenders, []);
  });

  it('only src/vscode and src/extension.ts import vscode at runtime', () => {
    const offenders = filesUnder(path.join(ROOT, 'src'))
      .filter((f) => f.endsWith('.ts') && !f.includes(`${path.sep}vscode${path.sep}`) && !f.endsWith('extension.ts'))
      .filter((f) => /^import\s+(?!type\b)[^;]*from\s+['"]vscode['"]/m.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
