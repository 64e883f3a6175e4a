import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is apps/server/src/db/paths.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** prisma/: schema.prisma and migrations/. */
export const PRISMA_DIR = path.join(REPO_ROOT, 'prisma');
