// Test-only extensions the real-editor runs install next to ours (never part of the packaged .vsix):
// test/fixtures/chatParticipant, a chat participant with a fake language model, so a participant request
// can run a gateway tool with a toolInvocationToken offline (issue 8). Packaged with vsce into out/ and
// installed into the scratch extensions folder: the workbench's `payload` takes one
// extensionDevelopmentPath only (it is read into a Map), so a second development extension is not an option
// there. (Desktop VS Code takes it as a second --extensionDevelopmentPath; vscodeShim.mjs packages such
// extra development paths with packageExtension.)
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './setup.mjs';

export const CHAT_PARTICIPANT_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'chatParticipant');
export const CHAT_PARTICIPANT_VSIX = path.join(REPO_ROOT, 'out', 'fixtures', 'chat-participant.vsix');

/** Packages the chat participant fixture (~2 s); resolves with the .vsix path. */
export function packageChatParticipant() {
  return packageExtension(CHAT_PARTICIPANT_DIR, CHAT_PARTICIPANT_VSIX);
}

/**
 * Packages the extension folder `dir` (no dependencies) into `outfile` with vsce; resolves with `outfile`.
 * @param {string} dir @param {string} outfile
 * @returns {Promise<string>}
 */
export async function packageExtension(dir, outfile) {
  await mkdir(path.dirname(outfile), { recursive: true });
  const vsce = path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
  const args = ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', outfile];
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      const child = spawn(vsce, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`vsce package (${path.basename(dir)}) exited ${code}:\n${out}`)),
      );
    })
  );
  return outfile;
}
