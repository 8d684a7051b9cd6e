import { strict as assert } from 'node:assert';
import { bridgeLaunch, chatAliases, definitionVersion } from '../../../src/core/gateway/bridgeLaunch';
import {
  maxSocketPathBytes,
  socketParent,
  socketPathIn,
  windowsPipeName,
} from '../../../src/core/gateway/gatewayEndpoint';

describe('gateway definitions (Linux, macOS, Windows)', () => {
  describe('endpoint', () => {
    it('a socket file inside the private folder on Linux and macOS', () => {
      assert.equal(socketPathIn('/tmp/mcps-Ab12Cd'), '/tmp/mcps-Ab12Cd/gw.sock');
      assert.equal(maxSocketPathBytes('linux'), 107);
      assert.equal(maxSocketPathBytes('darwin'), 103);
    });

    it('falls back to /tmp when TMPDIR would make the socket path too long for sun_path', () => {
      assert.equal(socketParent('linux', '/tmp'), '/tmp');
      const macTmp = '/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T';
      assert.equal(socketParent('darwin', macTmp), macTmp);
      const long = `/home/runner/work/${'x'.repeat(70)}/tmp`;
      assert.equal(socketParent('linux', long), '/tmp');
      const edge = `/${'y'.repeat(107 - '/mcps-xxxxxx/gw.sock'.length - 1)}`;
      assert.equal(socketParent('linux', edge), edge, 'exactly 107 bytes fits on Linux');
      assert.equal(socketParent('darwin', edge), '/tmp', "but not in macOS's 104");
    });

    it('a named pipe with a random part on Windows', () => {
      assert.equal(windowsPipeName('00ff'), '\\\\.\\pipe\\mcp-secure-gateway-00ff');
    });
  });

  describe('bridge launch', () => {
    const base = {
      execPath: '/opt/vscode/code',
      bridgeScript: '/ext/dist/bridge.js',
      endpoint: '/tmp/mcps-a/gw.sock',
      secret: 's3cr3t',
      serverId: 'tickets',
    };

    it('runs the editor runtime as Node on the bundled bridge, with the gateway variables set', () => {
      const l = bridgeLaunch({ ...base, hostEnv: {} });
      assert.equal(l.command, '/opt/vscode/code');
      assert.deepEqual(l.args, ['/ext/dist/bridge.js']);
      assert.deepEqual(l.env, {
        ELECTRON_RUN_AS_NODE: '1',
        MCP_SECURE_GATEWAY_SOCKET: '/tmp/mcps-a/gw.sock',
        MCP_SECURE_GATEWAY_SECRET: 's3cr3t',
        MCP_SECURE_GATEWAY_SERVER: 'tickets',
      });
    });

    it('removes every inherited variable but the basic ones (VS Code merges the host environment)', () => {
      const hostEnv = {
        PATH: '/usr/bin',
        HOME: '/home/u',
        LANG: 'C.UTF-8',
        LC_ALL: 'C',
        TMPDIR: '/tmp',
        VSCODE_IPC_HOOK_CLI: '/run/vscode-ipc.sock',
        VSCODE_NLS_CONFIG: '{}',
        CODE_SERVER_SESSION_SOCKET: '/x',
        ELECTRON_NO_ATTACH_CONSOLE: '1',
        GITHUB_TOKEN: 'ghp_x',
        MCP_SECURE_TEST_ISSUER: 'http://127.0.0.1:1',
      };
      const l = bridgeLaunch({ ...base, hostEnv });
      for (const k of [
        'VSCODE_IPC_HOOK_CLI',
        'VSCODE_NLS_CONFIG',
        'CODE_SERVER_SESSION_SOCKET',
        'ELECTRON_NO_ATTACH_CONSOLE',
        'GITHUB_TOKEN',
        'MCP_SECURE_TEST_ISSUER',
      ]) {
        assert.equal(l.env[k], null, k);
      }
      for (const k of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR']) assert.equal(k in l.env, false, k);
    });

    it('keeps Windows basics whatever their case, on a pipe endpoint', () => {
      const l = bridgeLaunch({
        ...base,
        endpoint: windowsPipeName('ab'),
        hostEnv: { Path: 'C:\\Windows', SystemRoot: 'C:\\Windows', ComSpec: 'cmd.exe', VSCODE_PID: '1' },
      });
      assert.deepEqual(
        Object.entries(l.env)
          .filter(([, v]) => v === null)
          .map(([k]) => k),
        ['VSCODE_PID'],
      );
      assert.equal(l.env.MCP_SECURE_GATEWAY_SOCKET, '\\\\.\\pipe\\mcp-secure-gateway-ab');
    });
  });

  describe('serverInfo.name aliases (VS Code tool prefix: first 13 characters)', () => {
    it('short, lowercased, unique within 13 characters, stable for the same ids', () => {
      const ids = ['Tickets', 'notes', 'very-long-server-name-a', 'very-long-server-name-b', 'x y'];
      const a = chatAliases(ids);
      assert.deepEqual([...a.values()], ['tickets', 'notes', 'very-long-ser', 'very-long-s-2', 'x_y']);
      assert.ok([...a.values()].every((v) => v.length <= 13));
      assert.deepEqual(chatAliases(ids), a);
    });

    it('a definition version changes with the configuration and never shows it', () => {
      const v = definitionVersion({ id: 'a', url: 'https://x' });
      assert.match(v, /^[0-9a-f]{12}$/);
      assert.notEqual(definitionVersion({ id: 'a', url: 'https://y' }), v);
    });
  });
});
