import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCredentials, saveCredentials } from '../daemon/credentials.js';
import { testSigner } from '../testing/command-signer.js';
import { pinAnnounced, pinnedKeysOf, signatureRefusal } from './signature.js';

const K1 = testSigner();
const K2 = testSigner();
const K3 = testSigner();
const STRANGER = testSigner();
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
    const start = pinnedKeysOf(K1.publicKey);
    const chain = [K1.announce(K2), K2.announce(K3)];
    const first = pinAnnounced(start, chain);
    expect(first).toEqual({ pinned: { [K1.keyId]: K1.publicKey, [K2.keyId]: K2.publicKey, [K3.keyId]: K3.publicKey }, added: [K2.keyId, K3.keyId], unvouched: [], bad: [] });
    const again = pinAnnounced(first.pinned, chain);
    expect(again.pinned).toBe(first.pinned);
    expect(again.added).toEqual([]);
  });

  it('refuses an announcement signed by a key it has not pinned (a forgery, or a key from before it enrolled), and a tampered one', () => {
    const start = pinnedKeysOf(K1.publicKey);
    const forged = pinAnnounced(start, [STRANGER.announce(K3)]);
    expect(forged).toEqual({ pinned: start, added: [], unvouched: [`key ${K3.keyId}: announced by key ${STRANGER.keyId}, which this agent has not pinned`], bad: [] });
    // A forger naming the pinned key as signer: the signature does not check out.
    const claimed = { ...STRANGER.announce(K3), signedBy: K1.keyId };
    expect(pinAnnounced(start, [claimed]).bad).toEqual([`key ${K3.keyId}: the announcement's signature by ${K1.keyId} does not check out`]);
    // A genuine announcement with another public key swapped in.
    const swapped = { ...K1.announce(K2), publicKey: STRANGER.publicKey };
    expect(pinAnnounced(start, [swapped]).bad).toEqual([`key ${K2.keyId}: the id is not that of the key announced`]);
    expect(pinAnnounced(start, [{ ...swapped, keyId: STRANGER.keyId }]).bad).toEqual([`key ${STRANGER.keyId}: the announcement's signature by ${K1.keyId} does not check out`]);
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
});
