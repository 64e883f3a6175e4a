import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { commandSigningPayload, keyAnnouncementPayload, type KeyAnnouncement } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import { withCompleteLineage, withPinned, withVoucher, type TrustedKeys } from './key-lineage.js';

const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;
const keyObjects = new Map<string, KeyObject>();

/**
 * The server signing keys an agent trusts: key id (keyIdOf) -> Ed25519 public key (raw 32 bytes,
 * base64url). The key pinned at enrollment, plus each key announced since by one already pinned.
 */
export type PinnedKeys = Readonly<Record<string, string>>;

/**
 * Keys the server retired, as this agent learned from verified retirement notices
 * (key-retirement.ts): key id -> when the server retired it (ISO 8601, from the signed notice).
 * None of them is pinned, nor pinned again when announced.
 */
export type RetiredKeys = Readonly<Record<string, string>>;

/** The pinned keys of an agent that enrolled with `publicKey` (none when the server offered none). */
export const pinnedKeysOf = (publicKey: string | null): PinnedKeys => (publicKey ? { [keyIdOf(publicKey)]: publicKey } : {});

/** True when `keys` is a well-formed PinnedKeys: every value a 32-byte base64url key, every id its keyIdOf. */
export function isPinnedKeys(keys: unknown): keys is PinnedKeys {
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) return false;
  return Object.entries(keys).every(([id, key]) => typeof key === 'string' && PUBLIC_KEY.test(key) && keyIdOf(key) === id);
}

function publicKeyOf(text: string): KeyObject {
  let key = keyObjects.get(text);
  if (!key) keyObjects.set(text, (key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' })));
  return key;
}

const verifies = (text: string, publicKey: string, signature: string): boolean =>
  verify(null, Buffer.from(text, 'utf8'), publicKeyOf(publicKey), Buffer.from(signature, 'base64url'));

/**
 * Checks a command envelope (unvalidated, as received) against the server keys this agent pinned.
 * The signature (64 bytes, base64url) must cover `commandSigningPayload(envelope)`: id, deviceId,
 * action, createdAt and expiresAt, by the pinned key `keyId` names (servers since key rotation),
 * or by any pinned key when the envelope names none (older servers). Returns null when it does,
 * else the refusal reason in words (no key pinned, unsigned, malformed, a key the server retired
 * (`retired`: when), unknown key, bad).
 */
export function signatureRefusal(envelope: { signature?: unknown; keyId?: unknown }, pinned: PinnedKeys, retired: RetiredKeys = {}): string | null {
  const keys = Object.entries(pinned);
  if (keys.length === 0) return 'refused: no server signing key was pinned at enrollment, so no command can be checked; enroll this agent again with a server that signs commands';
  const { signature, keyId } = envelope;
  if (signature === undefined || signature === null || signature === '') return 'refused: the command is not signed';
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return 'refused: the command signature is not a 64-byte base64url Ed25519 signature';
  const candidates = keyId === undefined ? keys.map(([, key]) => key) : typeof keyId === 'string' && pinned[keyId] ? [pinned[keyId]] : [];
  if (candidates.length === 0 && typeof keyId === 'string' && Object.hasOwn(retired, keyId)) return `refused: the command is signed by key ${keyId}, which the server retired on ${retired[keyId]}`;
  if (candidates.length === 0) return `refused: the command is signed by key ${String(keyId).slice(0, 32)}, which this agent has not pinned`;
  const payload = commandSigningPayload(envelope as Parameters<typeof commandSigningPayload>[0]);
  return candidates.some((key) => verifies(payload, key, signature))
    ? null
    : 'refused: bad signature: the command was altered or not signed by a server key this agent pinned';
}

/**
 * Whether a statement a server key signed (a key announcement or a retirement notice) is vouched
 * for by a key this agent pins: `unvouched` when `signedBy` is not pinned (a key from before this
 * agent enrolled, a retired one, or a forgery), `bad` when it is but the Ed25519 `signature`
 * (base64url) of `payload` (the statement's own domain-separated payload function in
 * @fleetmedic/protocol) does not check out, else null. The one check announcements and retirements share.
 */
export function vouching(pinned: PinnedKeys, signedBy: string, payload: string, signature: string): 'unvouched' | 'bad' | null {
  const signer = Object.hasOwn(pinned, signedBy) ? pinned[signedBy] : undefined;
  if (!signer) return 'unvouched';
  return verifies(payload, signer, signature) ? null : 'bad';
}

/**
 * Checks a key announcement (validated against KeyAnnouncement) against the pinned keys: null when
 * the key that signed it (`signedBy`) is pinned, its signature of keyAnnouncementPayload checks
 * out, and `keyId` is the announced key's keyIdOf; else why not (`bad` or `unvouched`), in words.
 */
function announcementRefusal(announcement: KeyAnnouncement, pinned: PinnedKeys): { kind: 'bad' | 'unvouched'; why: string } | null {
  const { keyId, publicKey, signedBy, signature } = announcement;
  if (keyIdOf(publicKey) !== keyId) return { kind: 'bad', why: `key ${keyId}: the id is not that of the key announced` };
  const kind = vouching(pinned, signedBy, keyAnnouncementPayload({ keyId, publicKey }), signature);
  if (kind === 'unvouched') return { kind, why: `key ${keyId}: announced by key ${signedBy}, which this agent has not pinned` };
  return kind === 'bad' ? { kind, why: `key ${keyId}: the announcement's signature by ${signedBy} does not check out` } : null;
}

/** What pinAnnounced did: the keys trusted after, and the announcements it pinned, learned from, or refused. */
export interface AnnouncementOutcome {
  /** the trusted keys after: `pinned`, `lineage` and `retired` (each the same object when unchanged) */
  keys: TrustedKeys;
  /** ids pinned, in order */
  added: string[];
  /** ids pinned already whose unknown voucher a verified announcement showed (credentials from before lineage) */
  learned: string[];
  /** announcements not pinned for a benign reason (signer not pinned: a key from before this agent enrolled, or a forgery; or a retired key), in words */
  unvouched: string[];
  /** announcements whose signature or id does not check out (altered or forged), in words */
  bad: string[];
}

/**
 * Pins each announced key that a pinned key vouches for, in order (so one message can carry a
 * chain: a key announced by one announced just before), recording its lineage (the voucher, and
 * the order it was pinned in: key-lineage.ts). A key pinned already is not pinned again; when its
 * voucher is unknown (pinned before lineage was kept), a verified announcement by a key pinned
 * before it shows it. Keys in `retired` (the server retired them) are never pinned again.
 * Pure: the caller saves the result.
 */
export function pinAnnounced(trust: TrustedKeys, announcements: readonly KeyAnnouncement[]): AnnouncementOutcome {
  const out: AnnouncementOutcome = { keys: withCompleteLineage(trust), added: [], learned: [], unvouched: [], bad: [] };
  for (const a of announcements) {
    const { pinned, lineage, retired } = out.keys;
    if (pinned[a.keyId] === a.publicKey) {
      if (lineage[a.keyId]?.vouchedBy !== undefined || announcementRefusal(a, pinned) !== null) continue;
      const learned = withVoucher(lineage, a.keyId, a.signedBy);
      if (learned !== lineage) {
        out.keys = { ...out.keys, lineage: learned };
        out.learned.push(a.keyId);
      }
      continue;
    }
    if (Object.hasOwn(retired, a.keyId)) {
      out.unvouched.push(`key ${a.keyId}: the server retired it on ${retired[a.keyId]}; not pinned again`);
      continue;
    }
    const refusal = announcementRefusal(a, pinned);
    if (refusal === null) {
      out.keys = { ...out.keys, pinned: { ...pinned, [a.keyId]: a.publicKey }, lineage: withPinned(lineage, a.keyId, a.signedBy) };
      out.added.push(a.keyId);
    } else (refusal.kind === 'bad' ? out.bad : out.unvouched).push(refusal.why);
  }
  return out;
}
