/** Where each client keeps its servers, per platform (issue 12, item 7). */
import { strict as assert } from 'node:assert';
import { importSources, vscodeUserDirFromGlobalStorage } from '../../../src/core/import/importSources';

describe('import: source files per platform', () => {
  const files = (roots: Parameters<typeof importSources>[0]): Record<string, string> =>
    Object.fromEntries(importSources(roots).map((s) => [s.id, `${s.scope}:${s.file}`]));

  it('Linux: XDG config for Claude Desktop, home for Cursor and Claude Code, the workspace files', () => {
    assert.deepEqual(
      files({
        platform: 'linux',
        home: '/home/a',
        xdgConfigHome: '/xdg',
        vscodeUserDir: '/data/User',
        workspaceFolder: '/w',
      }),
      {
        vscodeWorkspace: 'workspace:/w/.vscode/mcp.json',
        cursorWorkspace: 'workspace:/w/.cursor/mcp.json',
        claudeCodeWorkspace: 'workspace:/w/.mcp.json',
        vscodeUser: 'user:/data/User/mcp.json',
        claudeDesktop: 'user:/xdg/Claude/claude_desktop_config.json',
        cursorUser: 'user:/home/a/.cursor/mcp.json',
        claudeCodeUser: 'user:/home/a/.claude.json',
      },
    );
    assert.equal(
      files({ platform: 'linux', home: '/home/a' }).claudeDesktop,
      'user:/home/a/.config/Claude/claude_desktop_config.json',
    );
  });

  it('macOS and Windows Claude Desktop folders; no workspace files without a (trusted) folder', () => {
    assert.equal(
      files({ platform: 'darwin', home: '/Users/a' }).claudeDesktop,
      'user:/Users/a/Library/Application Support/Claude/claude_desktop_config.json',
    );
    const win = files({ platform: 'win32', home: 'C:\\Users\\a', appData: 'C:\\Users\\a\\AppData\\Roaming' });
    assert.equal(win.claudeDesktop, 'user:C:\\Users\\a\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
    assert.equal(win.cursorUser, 'user:C:\\Users\\a\\.cursor\\mcp.json');
    assert.ok(!Object.keys(win).some((id) => id.endsWith('Workspace')));
  });

  it("derives VS Code's User folder from the extension's global storage (code-server, Insiders, portable)", () => {
    assert.equal(
      vscodeUserDirFromGlobalStorage('/home/a/.local/share/code-server/User/globalStorage/pub.ext', 'linux'),
      '/home/a/.local/share/code-server/User',
    );
    assert.equal(
      vscodeUserDirFromGlobalStorage('C:\\Users\\a\\AppData\\Roaming\\Code\\User\\globalStorage\\pub.ext', 'win32'),
      'C:\\Users\\a\\AppData\\Roaming\\Code\\User',
    );
    assert.equal(vscodeUserDirFromGlobalStorage('/somewhere/else/pub.ext', 'linux'), undefined);
  });
});
