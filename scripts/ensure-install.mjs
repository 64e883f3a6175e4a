// Installs the workspace when node_modules is missing or older than the lockfile, so that
// `npx pnpm@12.4.2 start` / `test` work on a fresh machine with only Node.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules/.modules.yaml');
const lock = path.join(root, 'pnpm-lock.yaml');
const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
if (!fresh) {
  const pnpm = process.env.npm_execpath;
  const [cmd, args] = pnpm && /pnpm/.test(pnpm)
    ? [pnpm.endsWith('.js') || pnpm.endsWith('.cjs') ? process.execPath : pnpm, pnpm.endsWith('.js') || pnpm.endsWith('.cjs') ? [pnpm, 'install', '--frozen-lockfile'] : ['install', '--frozen-lockfile']]
    : ['npx', ['--yes', 'pnpm@12.4.2', 'install', '--frozen-lockfile']];
  console.error(`installing dependencies (${path.basename(cmd)} ${args.join(' ')})`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
