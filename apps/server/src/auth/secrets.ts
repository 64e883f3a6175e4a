import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './roles.js';

/** sha256 of a secret (device token, admin token, enrollment secret), lowercase hex: what is stored. */
export const sha256Hex = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** A new random secret: `bytes` random bytes (default 32) as base64url (43 characters for 32 bytes). */
export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * A new API token for `role`: `fm_<role>_` and 32 random bytes as base64url (e.g. `fm_viewer_` and
 * 43 characters). The prefix tells a person, a log scrubber or a secret scanner what the string is
 * and what it may do without asking the server; only its sha256 is stored.
 */
export const newApiToken = (role: Role): string => `fm_${role}_${newSecret(32)}`;

/** Constant-time equality of two hex digests of the same length; false when lengths differ. */
export function hexDigestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The token of an `Authorization: Bearer <token>` header, or null when absent or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}
