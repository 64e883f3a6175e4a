import type { PrismaClient } from '../generated/prisma/client.js';
import { ROLES, type Role } from './roles.js';
import { sha256Hex } from './secrets.js';

/** The credentials FleetMedic issues besides API tokens, each good for one door only. */
export type OtherCredential = 'device-token' | 'enroll-secret';

/**
 * Which other credential `secret` is, when it is not an API token: an enrolled Mac's device
 * token, or an enrollment secret (active or revoked); null when it is neither. Two lookups by
 * unique hash, run only after the API token lookup failed, so that the 401 can say which
 * credential was sent to the wrong door. Telling a caller what the secret it holds is reveals
 * nothing it could not do with it already.
 */
export async function otherCredentialKind(prisma: PrismaClient, secret: string): Promise<OtherCredential | null> {
  const hash = sha256Hex(secret);
  const [device, enrollSecret] = await Promise.all([
    prisma.device.findUnique({ where: { tokenHash: hash }, select: { id: true } }),
    prisma.enrollSecret.findUnique({ where: { secretHash: hash }, select: { id: true } }),
  ]);
  if (device) return 'device-token';
  if (enrollSecret) return 'enroll-secret';
  return null;
}

/** What a route needing `role` takes, in words: "a viewer, operator or admin API token", "an admin API token". */
export function apiTokenNeeded(role: Role): string {
  const roles = ROLES.slice(ROLES.indexOf(role));
  const list = roles.length > 1 ? `${roles.slice(0, -1).join(', ')} or ${roles[roles.length - 1]}` : roles[0]!;
  return `${/^[aeiou]/.test(list) ? 'an' : 'a'} ${list} API token`;
}

/** What each other credential opens, for the 401 of a route it does not open. */
export const OPENS: Record<OtherCredential, string> = {
  'device-token': 'a device token, which only opens a Mac\'s agent socket (GET /api/v1/agent/ws)',
  'enroll-secret': 'an enrollment secret, which only enrolls a Mac (POST /api/v1/enroll)',
};
