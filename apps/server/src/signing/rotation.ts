import type { KeyRetirement } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';
import { audit } from '../audit/audit.js';
import { isSealed, openSealedKey } from './sealed-key.js';
import { newKeyPair, openRowKey, sealPrivateKey, sealingContext } from './signing-key.js';

/**
 * Least time between `keys rotate` and `keys activate`, s: connected agents get an announcement
 * within one re-read of the servers' keyrings (SigningKeySource, 10 s by default), so by then
 * every connected agent pins the next key; offline agents get it at connect, before any command.
 */
export const ACTIVATE_AFTER_SECONDS = 30;

/** Thrown when a rotation step does not apply to the keys as they are (the message says why and what to do). */
export class KeyRotationError extends Error {
  override name = 'KeyRotationError';
}

/** One key as `keys list` shows it (never the private half). */
export interface KeyView {
  keyId: string;
  row: string;
  state: string;
  publicKey: string;
  announcedBy: string | null;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

/** Every signing key, oldest first. */
export async function listSigningKeys(prisma: PrismaClient): Promise<KeyView[]> {
  const rows = await prisma.serverSigningKey.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map((r) => ({
    keyId: keyIdOf(r.publicKey), row: r.id, state: r.state, publicKey: r.publicKey, announcedBy: r.announcedBy,
    createdAt: r.createdAt, activatedAt: r.activatedAt, retiredAt: r.retiredAt,
  }));
}

/** Runs `work` in a transaction holding the keys' lock, so two operators' steps never interleave. */
function underKeyLock<T>(prisma: PrismaClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fleetmedic.signing-keys'))`;
    return work(tx);
  });
}

/**
 * `keys rotate`: makes the next key (Ed25519; its private half sealed under `kek`), announced by
 * the active key's signature, in state `next`. Servers send the announcement to agents (connected
 * ones within their re-read interval, the others at connect); nothing signs with it until
 * activateSigningKey. Audited as `signing-key.rotate` by `actor`. KeyRotationError when a next
 * key exists already. Returns the new key.
 */
export async function rotateSigningKey(prisma: PrismaClient, kek: Buffer, actor: string, now = new Date()): Promise<KeyView> {
  return underKeyLock(prisma, async (tx) => {
    const pending = await tx.serverSigningKey.findFirst({ where: { state: 'next' } });
    if (pending) throw new KeyRotationError(`key ${keyIdOf(pending.publicKey)} is already announced as the next key: activate it (keys activate) or retire it (keys retire ${keyIdOf(pending.publicKey)}) first`);
    const activeRow = await tx.serverSigningKey.findFirst({ where: { state: 'active' } });
    if (!activeRow) throw new KeyRotationError('there is no active key yet: start the server once, it makes the first');
    const active = openRowKey(activeRow, kek);
    const pair = newKeyPair();
    const announcement = active.announce(pair);
    const row = await tx.serverSigningKey.create({
      data: {
        id: announcement.keyId, algorithm: 'ed25519', publicKey: pair.publicKey, privateKey: sealPrivateKey(pair.privateKey, kek, pair.publicKey),
        state: 'next', announcedBy: active.keyId, announcement: announcement.signature, createdAt: now,
      },
    });
    await audit(tx, { actor, action: 'signing-key.rotate', target: `signing-key:${announcement.keyId}`, params: { announcedBy: active.keyId } });
    return { keyId: announcement.keyId, row: row.id, state: row.state, publicKey: row.publicKey, announcedBy: row.announcedBy, createdAt: row.createdAt, activatedAt: null, retiredAt: null };
  });
}

/**
 * `keys activate`: the next key becomes active (new commands are signed with it, enrollment
 * announces it) and the active one `previous` (its queued commands are still delivered, agents
 * still accept it) until retired. Refused (KeyRotationError) when there is no next key, when it
 * was announced less than ACTIVATE_AFTER_SECONDS before `now`, or when it does not open under
 * `kek` (the servers could not sign with it). Audited as `signing-key.activate`.
 */
export async function activateSigningKey(prisma: PrismaClient, kek: Buffer, actor: string, now = new Date()): Promise<{ activated: string; previous: string }> {
  return underKeyLock(prisma, async (tx) => {
    const next = await tx.serverSigningKey.findFirst({ where: { state: 'next' } });
    if (!next) throw new KeyRotationError('there is no next key: run keys rotate first');
    const waitMs = next.createdAt.getTime() + ACTIVATE_AFTER_SECONDS * 1000 - now.getTime();
    if (waitMs > 0) throw new KeyRotationError(`key ${keyIdOf(next.publicKey)} was announced less than ${ACTIVATE_AFTER_SECONDS} s ago: connected agents may not pin it yet; try again in ${Math.ceil(waitMs / 1000)} s`);
    openRowKey(next, kek);
    const active = await tx.serverSigningKey.findFirstOrThrow({ where: { state: 'active' } });
    await tx.serverSigningKey.update({ where: { id: active.id }, data: { state: 'previous' } });
    await tx.serverSigningKey.update({ where: { id: next.id }, data: { state: 'active', activatedAt: now } });
    const activated = keyIdOf(next.publicKey);
    const previous = keyIdOf(active.publicKey);
    await audit(tx, { actor, action: 'signing-key.activate', target: `signing-key:${activated}`, params: { previous } });
    return { activated, previous };
  });
}

/**
 * Whether the key `activeId` descends from the key `keyId` among `rows` (following `announcedBy`
 * from the active key reaches it): only then may the active key sign its retirement notice, the
 * one agents accept (a key may only be retired by one it vouched for, directly or through others).
 */
function activeDescendsFrom(rows: readonly { publicKey: string; announcedBy: string | null }[], activeId: string, keyId: string): boolean {
  const voucherOf = new Map(rows.map((r) => [keyIdOf(r.publicKey), r.announcedBy]));
  const seen = new Set<string>();
  for (let id: string | null | undefined = voucherOf.get(activeId); id && !seen.has(id); id = voucherOf.get(id)) {
    if (id === keyId) return true;
    seen.add(id);
  }
  return false;
}

/** Why a retired key gets no notice: it is not an ancestor of the active key (a never-activated next key). */
export const NO_NOTICE_REASON = 'no retirement notice: the active key does not descend from it (a next key never activated), and agents accept a notice only from a key the retired one vouched for; Macs that pinned it keep it pinned (nothing can sign with it: its private half is deleted) until they enroll again';

/**
 * `keys retire <keyId>`: a previous (or next, never activated) key stops counting: its private
 * half is deleted from the database, servers stop delivering commands it signed, and its queued
 * commands fail now ("its signing key was retired"; queue them again). For a key the active key
 * descends from (a previous key), the active key (opened with `kek`) signs a retirement notice
 * (keyRetirementPayload: key id and `now`), stored on the row (`retiredBy`, `retirement`); servers
 * send it to agents in their `keys` message (connected ones within their re-read interval, the
 * others at connect), and agents unpin the key. A never-activated next key gets no notice
 * (`notice` null, `noNotice` says why: NO_NOTICE_REASON): the active key is its voucher, and agents
 * would refuse the notice, unable to tell it from an old key retiring a newer one.
 * A key retired with no notice (before servers signed them) gets one now, dated when it was
 * retired (`failedCommands` 0, `noticeOnly`). KeyRotationError for the active key, an unknown key, or a retired
 * one that has its notice or can get none; the active key's
 * error when a notice is due and it does not open under `kek` (nothing is retired then). Audited
 * as `signing-key.retire` (the notice's signer, or why none). Returns how many queued commands
 * failed and the notice.
 */
export async function retireSigningKey(prisma: PrismaClient, kek: Buffer, keyId: string, actor: string, now = new Date()): Promise<{ failedCommands: number; notice: KeyRetirement | null; noNotice?: string; noticeOnly?: true }> {
  return underKeyLock(prisma, async (tx) => {
    const rows = await tx.serverSigningKey.findMany();
    const row = rows.find((r) => keyIdOf(r.publicKey) === keyId);
    if (!row) throw new KeyRotationError(`no signing key has id ${keyId} (keys list shows them)`);
    if (row.state === 'active') throw new KeyRotationError(`key ${keyId} is the active key: rotate and activate another first`);
    const activeRow = rows.find((r) => r.state === 'active');
    if (!activeRow) throw new KeyRotationError('there is no active key to sign the retirement notice: start the server once, it makes the first');
    const noticeDue = activeDescendsFrom(rows, keyIdOf(activeRow.publicKey), keyId);
    if (row.state === 'retired') {
      // Retired before servers signed notices (or by hand): sign the notice now, dated when it was retired.
      if (row.retirement || !noticeDue) throw new KeyRotationError(`key ${keyId} is retired already${row.retirement ? '' : ` (${NO_NOTICE_REASON})`}`);
      const late = openRowKey(activeRow, kek).retire(keyId, row.retiredAt ?? now);
      await tx.serverSigningKey.update({ where: { id: row.id }, data: { retiredBy: late.signedBy, retirement: late.signature } });
      await audit(tx, { actor, action: 'signing-key.retire', target: `signing-key:${keyId}`, params: { failedCommands: 0, signedBy: late.signedBy, noticeOnly: true } });
      return { failedCommands: 0, notice: late, noticeOnly: true };
    }
    const notice = noticeDue ? openRowKey(activeRow, kek).retire(keyId, now) : null;
    await tx.serverSigningKey.update({
      where: { id: row.id },
      data: { state: 'retired', privateKey: null, retiredAt: now, retiredBy: notice?.signedBy ?? null, retirement: notice?.signature ?? null },
    });
    const failed = await tx.command.updateMany({
      where: { keyId, status: 'queued' },
      data: { status: 'failed', finishedAt: now, reason: `not sent: its signing key ${keyId} was retired before it was delivered; queue it again` },
    });
    const why = notice ? {} : { noNotice: NO_NOTICE_REASON };
    await audit(tx, { actor, action: 'signing-key.retire', target: `signing-key:${keyId}`, params: { failedCommands: failed.count, signedBy: notice?.signedBy ?? null, ...why } });
    return { failedCommands: failed.count, notice, ...why };
  });
}

/**
 * `keys rewrap`: seals every stored private key under `newKek` instead of `oldKek` (a KEK
 * changed on schedule, or leaked with a dump). Every key must open under `oldKek`; nothing is
 * written otherwise (SealedKeyError naming the key). Servers must then start with `newKek`.
 * Audited as `signing-key.rewrap`. Returns how many keys were sealed again.
 */
export async function rewrapSigningKeys(prisma: PrismaClient, oldKek: Buffer, newKek: Buffer, actor: string): Promise<number> {
  return underKeyLock(prisma, async (tx) => {
    const rows = (await tx.serverSigningKey.findMany()).filter((r) => r.privateKey !== null);
    const resealed = rows.map((r) => {
      const context = sealingContext(r.publicKey);
      const pem = isSealed(r.privateKey!) ? openSealedKey(r.privateKey!, oldKek, context) : r.privateKey!;
      return { id: r.id, privateKey: sealPrivateKey(pem, newKek, r.publicKey) };
    });
    for (const r of resealed) await tx.serverSigningKey.update({ where: { id: r.id }, data: { privateKey: r.privateKey } });
    await audit(tx, { actor, action: 'signing-key.rewrap', target: 'signing-keys', params: { keys: resealed.length } });
    return resealed.length;
  });
}
