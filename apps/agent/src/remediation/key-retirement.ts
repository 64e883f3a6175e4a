import { keyRetirementPayload, type KeyRetirement } from '@fleetmedic/protocol';
import { vouching, type PinnedKeys, type RetiredKeys } from './signature.js';

const KEY_ID = /^[A-Za-z0-9_-]{16}$/;

/** True when `keys` is a well-formed RetiredKeys: key ids (16 base64url characters) -> ISO 8601 times. */
export function isRetiredKeys(keys: unknown): keys is RetiredKeys {
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) return false;
  return Object.entries(keys).every(([id, at]) => KEY_ID.test(id) && typeof at === 'string' && at.length <= 40 && !Number.isNaN(Date.parse(at)));
}

/** What applyRetirements did: the keys after, the ids unpinned, and the notices refused with why. */
export interface RetirementOutcome {
  /** the pinned keys after (the same object when none was unpinned); never empty when `pinned` was not */
  pinned: PinnedKeys;
  /** the retired keys after (the same object when no notice was new) */
  retired: RetiredKeys;
  /** ids unpinned by these notices, in order */
  removed: string[];
  /** notices whose signer this agent does not pin (a key from before it enrolled, a retired key, or a forgery), in words */
  unvouched: string[];
  /** notices signed by a pinned key that do not check out (altered or forged), or naming their own signer, in words */
  bad: string[];
}

/**
 * Applies the server's retirement notices (validated against KeyRetirement, as ServerKeysMessage
 * carries them, oldest first) to the keys this agent pins. A notice counts when the key that
 * signed it (`signedBy`) is pinned, is not the key it retires, and its Ed25519 signature of
 * keyRetirementPayload checks out (the check announcements use: `vouching`); then `keyId` is
 * unpinned (when pinned) and remembered as retired at `retiredAt`, so no announcement pins it
 * again. The signer stays pinned, so the pinned keys never become empty. Notices already applied
 * (in `retired`) are skipped: every connect carries them all. Pure: the caller saves the result.
 */
export function applyRetirements(pinned: PinnedKeys, retired: RetiredKeys, notices: readonly KeyRetirement[]): RetirementOutcome {
  const out: RetirementOutcome = { pinned, retired, removed: [], unvouched: [], bad: [] };
  for (const n of notices) {
    if (Object.hasOwn(out.retired, n.keyId) && !Object.hasOwn(out.pinned, n.keyId)) continue;
    if (n.signedBy === n.keyId) {
      out.bad.push(`key ${n.keyId}: the retirement notice is signed by the key it retires`);
      continue;
    }
    const kind = vouching(out.pinned, n.signedBy, keyRetirementPayload(n), n.signature);
    if (kind === 'unvouched') out.unvouched.push(`key ${n.keyId}: retired by key ${n.signedBy}, which this agent has not pinned`);
    if (kind === 'bad') out.bad.push(`key ${n.keyId}: the retirement notice's signature by ${n.signedBy} does not check out`);
    if (kind !== null) continue;
    out.retired = { ...out.retired, [n.keyId]: n.retiredAt };
    if (!Object.hasOwn(out.pinned, n.keyId)) continue;
    const { [n.keyId]: _gone, ...rest } = out.pinned;
    out.pinned = rest;
    out.removed.push(n.keyId);
  }
  return out;
}
