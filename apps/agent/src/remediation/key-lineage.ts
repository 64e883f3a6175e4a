import type { PinnedKeys, RetiredKeys } from './signature.js';

/** A key id as keyIdOf makes it: 16 base64url characters. */
export const KEY_ID = /^[A-Za-z0-9_-]{16}$/;

/**
 * How one server key came to be pinned on this agent: `seq`, the order it was pinned in (0 for
 * the enrollment key, each later pin one more than any before), and `vouchedBy`, the pinned key
 * whose announcement pinned it: null for the key pinned at enrollment, absent while unknown (keys
 * pinned before lineage was kept, until a verified announcement shows it). A voucher is always
 * pinned before the key it vouched for (its `seq` is lower), so following vouchers never loops.
 */
export interface KeyOrigin {
  readonly seq: number;
  readonly vouchedBy?: string | null;
}

/**
 * The lineage of every key this agent pinned, still pinned or unpinned since (kept so that a
 * chain through a retired key can still be followed): key id -> KeyOrigin.
 */
export type KeyLineage = Readonly<Record<string, KeyOrigin>>;

/** What an agent trusts: the keys it pins, their lineage, and the keys it unpinned for good. */
export interface TrustedKeys {
  readonly pinned: PinnedKeys;
  readonly lineage: KeyLineage;
  readonly retired: RetiredKeys;
}

/**
 * True when `lineage` is a well-formed KeyLineage: key ids to `{ seq, vouchedBy? }`, `seq` a
 * non-negative integer, `vouchedBy` null, absent, or the id of a key in it pinned earlier (lower `seq`).
 */
export function isKeyLineage(lineage: unknown): lineage is KeyLineage {
  if (typeof lineage !== 'object' || lineage === null || Array.isArray(lineage)) return false;
  const entries = lineage as Record<string, unknown>;
  return Object.entries(entries).every(([id, o]) => {
    if (!KEY_ID.test(id) || typeof o !== 'object' || o === null) return false;
    const { seq, vouchedBy } = o as { seq?: unknown; vouchedBy?: unknown };
    if (!Number.isSafeInteger(seq) || (seq as number) < 0) return false;
    if (vouchedBy === undefined || vouchedBy === null) return true;
    const voucher = typeof vouchedBy === 'string' && Object.hasOwn(entries, vouchedBy) ? (entries[vouchedBy] as { seq?: unknown }) : undefined;
    return typeof voucher?.seq === 'number' && voucher.seq < (seq as number);
  });
}

/** The seq the next key pinned gets: one more than any in `lineage` (0 when empty). */
export const nextSeq = (lineage: KeyLineage): number => Object.values(lineage).reduce((max, o) => Math.max(max, o.seq + 1), 0);

/** The lineage of an agent that just enrolled with `pinned` (the enrollment key, or none): vouched for by no key. */
export function enrolledLineage(pinned: PinnedKeys): KeyLineage {
  return Object.fromEntries(Object.keys(pinned).map((id, seq) => [id, { seq, vouchedBy: null }]));
}

/**
 * `lineage` (none: {}) plus an entry for each pinned key it lacks (credentials written before
 * lineage was kept): pinned in the order `pinned` lists them, after every key it has, voucher
 * unknown. The same object when no key lacks one.
 */
export function completeLineage(pinned: PinnedKeys, lineage: KeyLineage = {}): KeyLineage {
  const missing = Object.keys(pinned).filter((id) => !Object.hasOwn(lineage, id));
  if (missing.length === 0) return lineage;
  const first = nextSeq(lineage);
  return { ...lineage, ...Object.fromEntries(missing.map((id, i) => [id, { seq: first + i }])) };
}

/** `trust` with its lineage completed (completeLineage): the same object when it lacked no entry. */
export function withCompleteLineage<T extends Pick<TrustedKeys, 'pinned' | 'lineage'>>(trust: T): T {
  const lineage = completeLineage(trust.pinned, trust.lineage);
  return lineage === trust.lineage ? trust : { ...trust, lineage };
}

/** `lineage` with `keyId` pinned now (after every key in it), vouched for by `voucher`. */
export function withPinned(lineage: KeyLineage, keyId: string, voucher: string): KeyLineage {
  return { ...lineage, [keyId]: { seq: nextSeq(lineage), vouchedBy: voucher } };
}

/**
 * `lineage` with the unknown voucher of `keyId` learned as `voucher` (from a verified announcement):
 * only when `keyId`'s voucher is unknown and `voucher` was pinned before it; else the same object
 * (a voucher once known never changes, and a key pinned later never becomes an earlier one's voucher).
 */
export function withVoucher(lineage: KeyLineage, keyId: string, voucher: string): KeyLineage {
  const origin = Object.hasOwn(lineage, keyId) ? lineage[keyId] : undefined;
  const by = Object.hasOwn(lineage, voucher) ? lineage[voucher] : undefined;
  if (!origin || origin.vouchedBy !== undefined || !by || by.seq >= origin.seq) return lineage;
  return { ...lineage, [keyId]: { seq: origin.seq, vouchedBy: voucher } };
}

/** `keyId` then its voucher, that one's voucher, and so on, as far as this agent knows them. */
export function chainOf(lineage: KeyLineage, keyId: string): string[] {
  const chain = [keyId];
  const seen = new Set(chain);
  for (let id = keyId; ;) {
    const by = Object.hasOwn(lineage, id) ? lineage[id]!.vouchedBy : undefined;
    if (typeof by !== 'string' || seen.has(by)) return chain;
    chain.push(by);
    seen.add(by);
    id = by;
  }
}

/**
 * Which pinned keys a retirement notice "`keyId` retired by `signer`" unpins, or null when it may
 * not retire it (R1): `signer` must descend from `keyId` on this agent (following vouchers from
 * `signer` reaches `keyId`), so an older key never retires a newer one. Else (R2): `keyId` (when
 * pinned) and every pinned key on a branch that leaves the path from `keyId` to `signer` (not
 * through `signer`) at a key pinned after `signer`: a branch the holder of a retired key planted
 * after its successor was pinned here. Keys on the path, descendants of `signer`, and branches
 * pinned before `signer` stay (this agent cannot tell those from keys the server made), so a
 * notice signed by a planted key never unpins a key pinned before it, nor that key's successors.
 * Never includes `signer`.
 */
export function retirementScope(trust: Pick<TrustedKeys, 'pinned' | 'lineage'>, keyId: string, signer: string): string[] | null {
  const { pinned, lineage } = trust;
  const toSigner = chainOf(lineage, signer);
  const at = toSigner.indexOf(keyId);
  if (at < 1) return null;
  const path = new Set(toSigner.slice(0, at + 1));
  const signerSeq = lineage[signer]!.seq;
  return Object.keys(pinned).filter((id) => {
    if (id === keyId) return true;
    if (path.has(id)) return false;
    const chain = chainOf(lineage, id);
    const joins = chain.findIndex((k) => path.has(k));
    if (joins < 1 || chain[joins] === signer) return false;
    return lineage[chain[joins - 1]!]!.seq > signerSeq;
  });
}
