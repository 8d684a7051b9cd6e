/**
 * Writes the JSON schema of one `mcpSecure.servers` entry into package.json from the zod schema
 * (src/core/mcp/serverDefinitionSchema.ts). Run: `npx tsx scripts/syncServerSchema.ts`, then
 * `npx prettier --write package.json`. test/unit/mcp/serverDefinitionSchema.test.ts fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { settingsEntryJsonSchema } from '../src/core/mcp/serverDefinitionSchema';

const SERVERS_SETTING = 'mcpSecure.servers';
const file = path.resolve(__dirname, '..', 'package.json');
const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
  contributes: {
    configuration:
      { properties: Record<string, { items?: unknown }> }[] | { properties: Record<string, { items?: unknown }> };
  };
};
const sections = [manifest.contributes.configuration].flat();
const setting = sections.map((s) => s.properties[SERVERS_SETTING]).find((p) => p !== undefined);
if (!setting) throw new Error(`package.json contributes no ${SERVERS_SETTING} setting`);
setting.items = settingsEntryJsonSchema();
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
