import type { PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { newApiToken, newSecret, sha256Hex } from './secrets.js';

/** Secrets created by bootstrap, in clear, to print once. Empty fields: nothing was created. */
export interface BootstrapResult {
  enrollSecret?: string;
  adminToken?: string;
}

/**
 * Makes sure the given enrollment secrets and admin token (role admin) exist, stored hashed;
 * idempotent (a value already stored is left alone). Rows are named `env`.
 */
export async function ensureCredentials(prisma: PrismaClient, given: { enrollSecrets?: string[]; adminToken?: string }): Promise<void> {
  for (const secret of given.enrollSecrets ?? []) {
    const secretHash = sha256Hex(secret);
    const found = await prisma.enrollSecret.findUnique({ where: { secretHash } });
    if (!found) {
      const row = await prisma.enrollSecret.create({ data: { name: 'env', secretHash } });
      await audit(prisma, { actor: 'bootstrap', action: 'enroll-secret.create', target: `enroll-secret:${row.id}`, params: { name: 'env' } });
    }
  }
  if (given.adminToken) {
    const tokenHash = sha256Hex(given.adminToken);
    const found = await prisma.adminToken.findUnique({ where: { tokenHash } });
    if (!found) {
      const row = await prisma.adminToken.create({ data: { name: 'env', role: 'admin', tokenHash } });
      await audit(prisma, { actor: 'bootstrap', action: 'admin-token.create', target: `admin-token:${row.id}`, params: { name: 'env', role: 'admin' } });
    }
  }
}

/**
 * First start: when no active enrollment secret (or no active admin token) exists and none was
 * given, creates a random one and returns it in clear so the caller prints it once.
 */
export async function bootstrapCredentials(prisma: PrismaClient): Promise<BootstrapResult> {
  const out: BootstrapResult = {};
  if ((await prisma.enrollSecret.count({ where: { revokedAt: null } })) === 0) {
    out.enrollSecret = newSecret(24);
    const row = await prisma.enrollSecret.create({ data: { name: 'bootstrap', secretHash: sha256Hex(out.enrollSecret) } });
    await audit(prisma, { actor: 'bootstrap', action: 'enroll-secret.create', target: `enroll-secret:${row.id}`, params: { name: 'bootstrap' } });
  }
  if ((await prisma.adminToken.count({ where: { revokedAt: null, role: 'admin' } })) === 0) {
    out.adminToken = newApiToken('admin');
    const row = await prisma.adminToken.create({ data: { name: 'bootstrap', role: 'admin', tokenHash: sha256Hex(out.adminToken) } });
    await audit(prisma, { actor: 'bootstrap', action: 'admin-token.create', target: `admin-token:${row.id}`, params: { name: 'bootstrap', role: 'admin' } });
  }
  return out;
}
