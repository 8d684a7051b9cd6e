/**
 * Writes the JSON schema of one `mcpSecure.servers` entry into package.json from the zod schema
 * (src/core/mcp/serverDefinitionSchema.ts), and its descriptions into package.nls.json. Run:
 * `npx tsx scripts/syncServerSchema.ts`, then `npx prettier --write package.json package.nls.json`.
 * test/unit/mcp/serverDefinitionSchema.test.ts fails while they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SERVERS_NLS_PREFIX, serversManifestSchema } from './serverSchemaManifest';

const SERVERS_SETTING = 'mcpSecure.servers';
const root = path.resolve(__dirname, '..');
const manifestFile = path.join(root, 'package.json');
const nlsFile = path.join(root, 'package.nls.json');
type Section = { properties: Record<string, { items?: unknown }> };
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
  contributes: { configuration: Section[] | Section };
};
const nls = JSON.parse(readFileSync(nlsFile, 'utf8')) as Record<string, string>;

const setting = [manifest.contributes.configuration]
  .flat()
  .map((s) => s.properties[SERVERS_SETTING])
  .find((p) => p !== undefined);
if (!setting) throw new Error(`package.json contributes no ${SERVERS_SETTING} setting`);
const generated = serversManifestSchema();
setting.items = generated.schema;
// Every key under the entry is regenerated; the setting's own description (one level up) is kept.
const SETTING_KEY = `${SERVERS_NLS_PREFIX}.markdownDescription`;
const kept = Object.fromEntries(
  Object.entries(nls).filter(([k]) => k === SETTING_KEY || !k.startsWith(`${SERVERS_NLS_PREFIX}.`)),
);
writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(nlsFile, `${JSON.stringify({ ...kept, ...generated.nls }, null, 2)}\n`);
