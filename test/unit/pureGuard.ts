/**
 * Keeps `test/unit` pure (`npm run test:unit` loads this first): a unit test that opens a socket, starts a
 * server or a child process, or makes a temp folder fails with an error saying where the test belongs.
 * Real servers, processes, files and browsers are the `test/node` layer's job (`npm run test:node`).
 * esbuild's own service process (how tsx compiles the test files) is the one child allowed.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

function refuse(what: string): never {
  throw new Error(`test/unit is pure: ${what} belongs in a test/node test`);
}

const isEsbuild = (command: unknown): boolean => typeof command === 'string' && /esbuild/.test(command);

net.Server.prototype.listen = function listen(): never {
  refuse('a listening server');
};
net.Socket.prototype.connect = function connect(): never {
  refuse('a network connection');
};
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'] as const) {
  const original = childProcess[name] as (...args: unknown[]) => unknown;
  (childProcess as unknown as Record<string, unknown>)[name] = (...args: unknown[]): unknown =>
    isEsbuild(args[0]) ? original(...args) : refuse(`a child process (${String(args[0])})`);
}
for (const name of ['mkdtemp', 'mkdtempSync'] as const) {
  (fs as unknown as Record<string, unknown>)[name] = (): never => refuse('a temp folder');
}
fs.promises.mkdtemp = (): never => refuse('a temp folder');
syncBuiltinESMExports();
