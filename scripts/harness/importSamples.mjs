// Sample MCP configurations of other clients for the UI walk-through's "Import Servers…" steps, written
// into the code-server scratch folder before the editor starts: VS Code's user-level mcp.json (in the
// editor's own user data dir), Claude Desktop's file under the scratch XDG_CONFIG_HOME, Cursor's under
// the scratch HOME. The real home folder is never read, so no real server names reach a screenshot.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The scratch HOME the walk-through's editor runs with (see uiWalkthrough.mjs). */
export const scratchHome = (/** @type {{ root: string }} */ scratch) => path.join(scratch.root, 'h');

/** @param {{ root: string, userData: string, xdgConfig: string }} scratch */
export async function writeImportSamples(scratch) {
  const write = async (/** @type {string} */ file, /** @type {unknown} */ value) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  };
  await write(
    path.join(scratch.userData, 'User', 'mcp.json'),
    `// MCP servers of this VS Code profile
${JSON.stringify(
  {
    inputs: [{ type: 'promptString', id: 'weather-key', description: 'Weather API key', password: true }],
    servers: {
      'Docs Search': { type: 'http', url: 'https://mcp.docs.example.com/mcp' },
      Weather: {
        type: 'stdio',
        command: 'npx',
        args: ['-y', '@example/weather-mcp'],
        env: { WEATHER_API_KEY: 'sample-weather-key-0123456789', UNITS: 'metric' },
      },
      'Prompted Weather': { type: 'stdio', command: 'npx', env: { WEATHER_API_KEY: '${input:weather-key}' } },
      'Plain HTTP': { type: 'http', url: 'http://mcp.example.com/mcp' },
    },
  },
  null,
  2,
)}
`,
  );
  await write(path.join(scratch.xdgConfig, 'Claude', 'claude_desktop_config.json'), {
    mcpServers: {
      filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/sample/notes'] },
      github: {
        command: 'docker',
        args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server'],
        env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'sample-not-a-token' },
      },
    },
  });
  await write(path.join(scratchHome(scratch), '.cursor', 'mcp.json'), {
    mcpServers: { linear: { url: 'https://mcp.linear.example/sse' } },
  });
}
