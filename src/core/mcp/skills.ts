import type { Client, RequestOptions } from '@modelcontextprotocol/client';
import { SkillsClient, type Skill, type SkillFile } from '@modelcontextprotocol/client/ext/skills';
import type { SkillInfo } from './types';

/**
 * MCP Skills extension (SEP-2640) on top of the SDK's `SkillsClient`: `skills/list` returns the
 * entries (URI, digest, size, frontmatter) without fetching any file; `readSkill` fetches one file and
 * verifies its size, digest and frontmatter against the entry before anything may use it.
 */
export async function listSkills(client: Client, options?: RequestOptions): Promise<SkillInfo[]> {
  const listing = await new SkillsClient(client, { skipInvalid: true }).list(undefined, options);
  return listing.skills.map((s) => ({ ...(s as unknown as Record<string, unknown>), name: skillName(s) }));
}

/** Read and verify one file of a listed skill (default: its `SKILL.md`). Throws `SkillVerificationError` on mismatch. */
export async function readSkill(
  client: Client,
  skill: SkillInfo,
  ref?: string,
  options?: RequestOptions,
): Promise<SkillFile> {
  return new SkillsClient(client).read(skill as unknown as Skill, ref, options);
}

/** A skill's name: its frontmatter `name`, else the directory segment before `SKILL.md`. */
function skillName(skill: Skill): string {
  const fm = (skill as { frontmatter?: { name?: unknown } }).frontmatter;
  if (typeof fm?.name === 'string') return fm.name;
  const uri = String((skill as { uri?: unknown }).uri ?? '');
  return uri.split('/').filter(Boolean).slice(-2, -1)[0] ?? uri;
}
