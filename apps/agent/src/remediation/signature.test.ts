import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCredentials, saveCredentials } from '../daemon/credentials.js';
import { testSigner } from '../testing/command-signer.js';
import { enrolledLineage, type TrustedKeys } from './key-lineage.js';
import { applyRetirements } from './key-retirement.js';
import { pinAnnounced, pinnedKeysOf, signatureRefusal, type PinnedKeys } from './signature.js';

const K1 = testSigner();
const K2 = testSigner();
const K3 = testSigner();
const STRANGER = testSigner();
/** What an agent that enrolled with `pinned` (the enrollment key) trusts, before any announcement. */
const trustOf = (pinned: PinnedKeys): TrustedKeys => ({ pinned, lineage: enrolledLineage(pinned), retired: {} });
const envelope = { id: 'cmd-sig-0001', deviceId: 'device-1', action: { type: 'agent.collect', params: {} }, createdAt: '2026-03-01T11:59:00Z', expiresAt: '2026-03-01T13:00:00Z' };

describe('pinned server keys', () => {
  const pinned = { ...pinnedKeysOf(K1.publicKey), ...pinnedKeysOf(K2.publicKey) };

  it('checks a command against the pinned key its keyId names, or against every pinned key when it names none (older servers)', () => {
    expect(signatureRefusal({ ...K2.sign(envelope), keyId: K2.keyId }, pinned)).toBeNull();
    expect(signatureRefusal(K2.sign(envelope), pinned)).toBeNull();
    expect(signatureRefusal(K1.sign(envelope), pinned)).toBeNull();
    // Naming another pinned key than the one that signed does not help.
    expect(signatureRefusal({ ...K2.sign(envelope), keyId: K1.keyId }, pinned)).toBe('refused: bad signature: the command was altered or not signed by a server key this agent pinned');
    expect(signatureRefusal({ ...STRANGER.sign(envelope), keyId: STRANGER.keyId }, pinned)).toBe(`refused: the command is signed by key ${STRANGER.keyId}, which this agent has not pinned`);
    expect(signatureRefusal(STRANGER.sign(envelope), pinned)).toMatch(/^refused: bad signature/);
  });

  it('pins a chain of announcements in one message (K2 by K1, K3 by K2), skips keys already pinned', () => {
    const start = trustOf(pinnedKeysOf(K1.publicKey));
    const chain = [K1.announce(K2), K2.announce(K3)];
    const first = pinAnnounced(start, chain);
    expect(first).toEqual({
      keys: {
        pinned: { [K1.keyId]: K1.publicKey, [K2.keyId]: K2.publicKey, [K3.keyId]: K3.publicKey },
        lineage: { [K1.keyId]: { seq: 0, vouchedBy: null }, [K2.keyId]: { seq: 1, vouchedBy: K1.keyId }, [K3.keyId]: { seq: 2, vouchedBy: K2.keyId } },
        retired: {},
      },
      added: [K2.keyId, K3.keyId], learned: [], unvouched: [], bad: [],
    });
    const again = pinAnnounced(first.keys, chain);
    expect(again.keys).toBe(first.keys);
    expect(again.added).toEqual([]);
  });

  it('refuses an announcement signed by a key it has not pinned (a forgery, or a key from before it enrolled), and a tampered one', () => {
    const start = trustOf(pinnedKeysOf(K1.publicKey));
    const forged = pinAnnounced(start, [STRANGER.announce(K3)]);
    expect(forged).toEqual({ keys: start, added: [], learned: [], unvouched: [`key ${K3.keyId}: announced by key ${STRANGER.keyId}, which this agent has not pinned`], bad: [] });
    // A forger naming the pinned key as signer: the signature does not check out.
    const claimed = { ...STRANGER.announce(K3), signedBy: K1.keyId };
    expect(pinAnnounced(start, [claimed]).bad).toEqual([`key ${K3.keyId}: the announcement's signature by ${K1.keyId} does not check out`]);
    // A genuine announcement with another public key swapped in.
    const swapped = { ...K1.announce(K2), publicKey: STRANGER.publicKey };
    expect(pinAnnounced(start, [swapped]).bad).toEqual([`key ${K2.keyId}: the id is not that of the key announced`]);
    expect(pinAnnounced(start, [{ ...swapped, keyId: STRANGER.keyId }]).bad).toEqual([`key ${STRANGER.keyId}: the announcement's signature by ${K1.keyId} does not check out`]);
  });
});

describe('retirement notices', () => {
  const AT = '2026-12-07T13:00:00.000Z';
  /** K1 pinned at enrollment, K2 announced by K1. */
  const both = pinAnnounced(trustOf(pinnedKeysOf(K1.publicKey)), [K1.announce(K2)]).keys;

  it('unpins a key whose retirement a pinned key signed; a command it signs is then refused, naming when', () => {
    expect(signatureRefusal({ ...K1.sign(envelope), keyId: K1.keyId }, both.pinned)).toBeNull();
    const out = applyRetirements(both, [K2.retire(K1.keyId, AT)]);
    expect(out).toEqual({ keys: { pinned: pinnedKeysOf(K2.publicKey), lineage: both.lineage, retired: { [K1.keyId]: AT } }, removed: [K1.keyId], unvouched: [], bad: [] });
    const { pinned, retired } = out.keys;
    expect(signatureRefusal({ ...K1.sign(envelope), keyId: K1.keyId }, pinned, retired)).toBe(`refused: the command is signed by key ${K1.keyId}, which the server retired on ${AT}`);
    // Without a keyId (a server before rotation), the retired key is no candidate either.
    expect(signatureRefusal(K1.sign(envelope), pinned, retired)).toMatch(/^refused: bad signature/);
    expect(signatureRefusal({ ...K2.sign(envelope), keyId: K2.keyId }, pinned, retired)).toBeNull();
    // Applied once: the same notice at the next connect changes nothing.
    const again = applyRetirements(out.keys, [K2.retire(K1.keyId, AT)]);
    expect(again).toEqual({ keys: out.keys, removed: [], unvouched: [], bad: [] });
    expect(again.keys).toBe(out.keys);
    // An announcement of the retired key (by a pinned key) does not pin it again.
    const reannounced = pinAnnounced(out.keys, [K2.announce(K1)]);
    expect(reannounced).toEqual({ keys: out.keys, added: [], learned: [], unvouched: [`key ${K1.keyId}: the server retired it on ${AT}; not pinned again`], bad: [] });
  });

  it('follows announcements then retirements in one message, oldest first (K1 retired by K2, K2 by K3)', () => {
    const announced = pinAnnounced(trustOf(pinnedKeysOf(K1.publicKey)), [K1.announce(K2), K2.announce(K3)]);
    const out = applyRetirements(announced.keys, [K2.retire(K1.keyId, AT), K3.retire(K2.keyId, AT)]);
    expect(out.keys.pinned).toEqual(pinnedKeysOf(K3.publicKey));
    expect(out.removed).toEqual([K1.keyId, K2.keyId]);
  });

  it('a forged notice (signed by a key it does not pin, or claiming a pinned signer) unpins nothing', () => {
    const forged = applyRetirements(both, [STRANGER.retire(K2.keyId, AT)]);
    expect(forged).toEqual({ keys: both, removed: [], unvouched: [`key ${K2.keyId}: retired by key ${STRANGER.keyId}, which this agent has not pinned`], bad: [] });
    const claimed = applyRetirements(both, [{ ...STRANGER.retire(K1.keyId, AT), signedBy: K2.keyId }]);
    expect(claimed.bad).toEqual([`key ${K1.keyId}: the retirement notice's signature by ${K2.keyId} does not check out`]);
    expect(claimed.keys).toBe(both);
    // A genuine notice with its date or key changed no longer checks out.
    expect(applyRetirements(both, [{ ...K2.retire(K1.keyId, AT), retiredAt: '2027-01-01T00:00:00.000Z' }]).keys).toBe(both);
    expect(applyRetirements(both, [{ ...K2.retire(K3.keyId, AT), keyId: K1.keyId }]).keys).toBe(both);
  });

  it('an announcement signature never reads as a retirement, nor the reverse', () => {
    // The same signer over the same key id: an announcement's signature in a notice fails, and back.
    const announcement = K1.announce(K2);
    expect(applyRetirements(both, [{ keyId: K2.keyId, retiredAt: AT, signedBy: K1.keyId, signature: announcement.signature }]).bad).toHaveLength(1);
    const notice = K1.retire(K3.keyId, K3.publicKey);
    expect(pinAnnounced(trustOf(pinnedKeysOf(K1.publicKey)), [{ keyId: K3.keyId, publicKey: K3.publicKey, signedBy: K1.keyId, signature: notice.signature }]).bad).toHaveLength(1);
  });

  it('never retires the key that signed the notice, so it never leaves the agent without a pinned key', () => {
    const alone = trustOf(pinnedKeysOf(K1.publicKey));
    const self = applyRetirements(alone, [K1.retire(K1.keyId, AT)]);
    expect(self).toEqual({ keys: alone, removed: [], unvouched: [], bad: [`key ${K1.keyId}: the retirement notice is signed by the key it retires`] });
    // K1 and K2 retiring each other: the first applies, the second's signer is no longer pinned.
    const cross = applyRetirements(both, [K2.retire(K1.keyId, AT), K1.retire(K2.keyId, AT)]);
    expect(cross.keys.pinned).toEqual(pinnedKeysOf(K2.publicKey));
    expect(cross.unvouched).toEqual([`key ${K2.keyId}: retired by key ${K1.keyId}, which this agent has not pinned`]);
  });

  it('does not remember a key it never pinned (a notice could otherwise bar a key not yet announced): nothing to unpin', () => {
    const alone = trustOf(pinnedKeysOf(K1.publicKey));
    const out = applyRetirements(alone, [K1.retire(K3.keyId, AT)]);
    expect(out).toEqual({ keys: alone, removed: [], unvouched: [`key ${K3.keyId}: retired by key ${K1.keyId}; this agent never pinned it, nothing to unpin`], bad: [] });
    expect(pinAnnounced(out.keys, [K1.announce(K3)]).added).toEqual([K3.keyId]);
  });
});

describe('credentials.json keeps the pinned keys', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const stateDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'agent-creds-'));
    dirs.push(d);
    return d;
  };
  const SERVER = 'https://fleet.example/';

  it('a file from before key rotation (only serverPublicKey) loads with that key pinned under its id', async () => {
    const dir = await stateDir();
    await writeFile(path.join(dir, 'credentials.json'), JSON.stringify({ serverUrl: SERVER, deviceId: 'd1', deviceToken: 't1', serverPublicKey: K1.publicKey, enrolledAt: '2026-01-01T00:00:00Z' }));
    expect(await loadCredentials(dir, SERVER)).toMatchObject({ deviceId: 'd1', serverPublicKey: K1.publicKey, serverKeys: { [K1.keyId]: K1.publicKey } });
  });

  it('keeps every pinned key across a save and load; a malformed map makes the agent enroll again', async () => {
    const dir = await stateDir();
    const serverKeys = { ...pinnedKeysOf(K1.publicKey), ...pinnedKeysOf(K2.publicKey) };
    await saveCredentials(dir, { serverUrl: SERVER, deviceId: 'd1', deviceToken: 't1', serverPublicKey: K1.publicKey, serverKeys, enrolledAt: '2026-01-01T00:00:00Z' });
    expect((await loadCredentials(dir, SERVER))?.serverKeys).toEqual(serverKeys);
    const text = JSON.parse(await readFile(path.join(dir, 'credentials.json'), 'utf8'));
    await writeFile(path.join(dir, 'credentials.json'), JSON.stringify({ ...text, serverKeys: { [K1.keyId]: K2.publicKey } }));
    expect(await loadCredentials(dir, SERVER)).toBeNull();
  });

  it('keeps the retired keys across a save and load; a file from before notices loads with none; a malformed map makes the agent enroll again', async () => {
    const dir = await stateDir();
    const base = { serverUrl: SERVER, deviceId: 'd1', deviceToken: 't1', serverPublicKey: K1.publicKey, serverKeys: pinnedKeysOf(K2.publicKey), enrolledAt: '2026-01-01T00:00:00Z' };
    await saveCredentials(dir, base);
    expect((await loadCredentials(dir, SERVER))?.retiredKeys).toEqual({});
    const retiredKeys = { [K1.keyId]: '2026-12-07T13:00:00.000Z' };
    await saveCredentials(dir, { ...base, retiredKeys });
    expect(await loadCredentials(dir, SERVER)).toMatchObject({ serverKeys: pinnedKeysOf(K2.publicKey), retiredKeys });
    await saveCredentials(dir, { ...base, retiredKeys: { [K1.keyId]: 'not a date' } });
    expect(await loadCredentials(dir, SERVER)).toBeNull();
  });
});
