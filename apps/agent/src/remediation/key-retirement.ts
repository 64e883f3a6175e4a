import { keyRetirementPayload, type KeyRetirement } from '@fleetmedic/protocol';
import { KEY_ID, retirementScope, withCompleteLineage, type TrustedKeys } from './key-lineage.js';
import { vouching, type RetiredKeys } from './signature.js';

/** True when `keys` is a well-formed RetiredKeys: key ids (16 base64url characters) -> ISO 8601 times. */
export function isRetiredKeys(keys: unknown): keys is RetiredKeys {
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) return false;
  return Object.entries(keys).every(([id, at]) => KEY_ID.test(id) && typeof at === 'string' && at.length <= 40 && !Number.isNaN(Date.parse(at)));
}

/** What applyRetirements did: the keys after, the ids unpinned, and the notices refused with why. */
export interface RetirementOutcome {
  /** the trusted keys after (each member the same object when unchanged); `pinned` never empty when it was not */
  keys: TrustedKeys;
  /** ids unpinned by these notices, in order: each retired key, and the branches planted under it (key-lineage.ts retirementScope) */
  removed: string[];
  /** notices not applied for a benign reason, in words: a signer this agent does not pin (a key from before it enrolled, a retired key, or a forgery), or a key it never pinned */
  unvouched: string[];
  /** notices refused, in words: a signature that does not check out (altered or forged), a notice naming its own signer, or a signer that does not descend from the key it retires (an old key retiring a newer one) */
  bad: string[];
}

/**
 * Applies the server's retirement notices (validated against KeyRetirement, as ServerKeysMessage
 * carries them, oldest first) to the keys this agent trusts. A notice "K retired by S" counts when
 * S is pinned and is not K, its Ed25519 signature of keyRetirementPayload checks out (`vouching`,
 * the check announcements use), and S descends from K on this agent (R1: key-lineage.ts
 * retirementScope; an old key never retires a newer one). Then K and the branches planted under
 * it after S was pinned (R2) are unpinned and remembered as retired at `retiredAt`, so no
 * announcement pins them again. S is never unpinned, so the pinned keys never become empty. A key
 * this agent never pinned is not remembered (a notice could otherwise bar a key not yet announced).
 * Notices come at every connect: one already applied changes nothing, and one whose signer was
 * unpinned since is skipped quietly. Pure: the caller saves the result.
 */
export function applyRetirements(trust: TrustedKeys, notices: readonly KeyRetirement[]): RetirementOutcome {
  const out: RetirementOutcome = { keys: withCompleteLineage(trust), removed: [], unvouched: [], bad: [] };
  for (const n of notices) {
    const { pinned, lineage, retired } = out.keys;
    const { keyId, signedBy } = n;
    const replay = Object.hasOwn(retired, keyId) && !Object.hasOwn(pinned, keyId);
    if (replay && !Object.hasOwn(pinned, signedBy)) continue;
    if (signedBy === keyId) {
      out.bad.push(`key ${keyId}: the retirement notice is signed by the key it retires`);
      continue;
    }
    const kind = vouching(pinned, signedBy, keyRetirementPayload(n), n.signature);
    if (kind === 'unvouched') out.unvouched.push(`key ${keyId}: retired by key ${signedBy}, which this agent has not pinned`);
    if (kind === 'bad') out.bad.push(`key ${keyId}: the retirement notice's signature by ${signedBy} does not check out`);
    if (kind !== null) continue;
    if (!Object.hasOwn(lineage, keyId)) {
      if (!replay) out.unvouched.push(`key ${keyId}: retired by key ${signedBy}; this agent never pinned it, nothing to unpin`);
      continue;
    }
    const scope = retirementScope(out.keys, keyId, signedBy);
    if (scope === null) {
      if (!replay) out.bad.push(`key ${keyId}: retired by key ${signedBy}, which does not descend from it on this agent: a key may only be retired by one it vouched for, directly or through others`);
      continue;
    }
    const gone = new Set(scope);
    const newlyRetired = [keyId, ...scope].filter((id) => !Object.hasOwn(retired, id));
    if (gone.size === 0 && newlyRetired.length === 0) continue;
    out.keys = {
      pinned: gone.size === 0 ? pinned : Object.fromEntries(Object.entries(pinned).filter(([id]) => !gone.has(id))),
      lineage,
      retired: newlyRetired.length === 0 ? retired : { ...retired, ...Object.fromEntries(newlyRetired.map((id) => [id, n.retiredAt])) },
    };
    out.removed.push(...scope);
  }
  return out;
}
