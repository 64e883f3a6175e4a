// Runs `prisma generate` after install. The Prisma CLI downloads a native schema engine before
// any command unless PRISMA_SCHEMA_ENGINE_BINARY points at an existing file; generation itself
// does not use the engine, so any file will do (see shared notes/toolchain.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverRequire = createRequire(path.join(root, 'apps/server/package.json'));
let cli;
try {
  cli = path.join(path.dirname(serverRequire.resolve('prisma/package.json')), 'build/index.js');
} catch {
  console.log('prisma-generate: prisma is not installed yet, skipping');
  process.exit(0);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(root, 'prisma/schema.prisma');
}
const r = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
