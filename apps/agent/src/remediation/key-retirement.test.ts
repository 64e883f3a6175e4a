// Who may retire which key (R1) and what goes with it (R2), on real Ed25519 keys: the lockout and
// planted-key attacks a leaked old key allows, and credentials written before lineage was kept.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KeyAnnouncement, KeyRetirement } from '@fleetmedic/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCredentials, saveCredentials } from '../daemon/credentials.js';
import { testSigner, type TestSigner } from '../testing/command-signer.js';
import { completeLineage, enrolledLineage, isKeyLineage, type TrustedKeys } from './key-lineage.js';
import { applyRetirements } from './key-retirement.js';
import { pinAnnounced, pinnedKeysOf, signatureRefusal } from './signature.js';

const AT = '2026-12-07T13:00:00.000Z';
/** A: pinned at enrollment; B: the server's next key (announced by A); C: the one after (by B). X, Y: keys a thief of A plants. */
const [A, B, C, X, Y] = [testSigner(), testSigner(), testSigner(), testSigner(), testSigner()];
const envelope = { id: 'cmd-lineage-1', deviceId: 'device-1', action: { type: 'agent.collect', params: {} }, createdAt: '2026-12-07T12:59:00Z', expiresAt: '2026-12-07T14:00:00Z' };

/** What an agent enrolled with A trusts after each `keys` message in `messages` (announcements, then notices), as the daemon applies them. */
function agentAfter(...messages: { keys?: KeyAnnouncement[]; retired?: KeyRetirement[] }[]): TrustedKeys {
  const pinned = pinnedKeysOf(A.publicKey);
  let trust: TrustedKeys = { pinned, lineage: enrolledLineage(pinned), retired: {} };
  for (const m of messages) trust = applyRetirements(pinAnnounced(trust, m.keys ?? []).keys, m.retired ?? []).keys;
  return trust;
}
const ids = (trust: TrustedKeys) => Object.keys(trust.pinned).sort();
const only = (...signers: TestSigner[]) => signers.map((s) => s.keyId).sort();
const runs = (trust: TrustedKeys, signer: TestSigner) => signatureRefusal({ ...signer.sign(envelope), keyId: signer.keyId }, trust.pinned, trust.retired);

describe('R1: a key may only be retired by one it vouched for, directly or through others', () => {
  it('lockout attempt: "B retired by A" (A leaked, B the active key) is refused; B stays pinned and its commands run', () => {
    const before = agentAfter({ keys: [A.announce(B)] });
    const out = applyRetirements(before, [A.retire(B.keyId, AT)]);
    expect(out).toEqual({
      keys: before, removed: [], unvouched: [],
      bad: [`key ${B.keyId}: retired by key ${A.keyId}, which does not descend from it on this agent: a key may only be retired by one it vouched for, directly or through others`],
    });
    expect(out.keys).toBe(before);
    expect(runs(out.keys, B)).toBeNull();
    // B still pins what it announces later, and still retires A.
    const later = agentAfter({ keys: [A.announce(B)], retired: [A.retire(B.keyId, AT)] }, { keys: [B.announce(C)], retired: [B.retire(A.keyId, AT)] });
    expect(ids(later)).toEqual(only(B, C));
  });

  it('nor through a key the thief planted: "B retired by X" (X announced by A) is refused', () => {
    const out = agentAfter({ keys: [A.announce(B)] }, { keys: [A.announce(X)], retired: [X.retire(B.keyId, AT)] });
    expect(ids(out)).toEqual(only(A, B, X));
    expect(out.retired).toEqual({});
  });
});

describe('R2: what goes with a retired key', () => {
  it('the real "A retired by B" removes a branch A\'s thief planted after B (X, and Y under it), in the message that carries it too', () => {
    const planted = [A.announce(X), X.announce(Y)];
    for (const out of [
      agentAfter({ keys: [A.announce(B)] }, { keys: planted }, { retired: [B.retire(A.keyId, AT)] }),
      agentAfter({ keys: [A.announce(B)] }, { keys: planted, retired: [B.retire(A.keyId, AT)] }), // announcements are applied first
    ]) {
      expect(ids(out)).toEqual(only(B));
      expect(out.retired).toEqual({ [A.keyId]: AT, [X.keyId]: AT, [Y.keyId]: AT });
      expect(runs(out, X)).toBe(`refused: the command is signed by key ${X.keyId}, which the server retired on ${AT}`);
      expect(runs(out, B)).toBeNull();
      // Replayed at every connect, with the planted announcements again: nothing changes, nothing is pinned again.
      const reannounced = pinAnnounced(out, planted);
      expect(reannounced).toMatchObject({ keys: out, added: [], unvouched: [`key ${X.keyId}: the server retired it on ${AT}; not pinned again`, `key ${Y.keyId}: the server retired it on ${AT}; not pinned again`] });
      const again = applyRetirements(reannounced.keys, [B.retire(A.keyId, AT)]);
      expect(again).toEqual({ keys: out, removed: [], unvouched: [], bad: [] });
      expect(again.keys).toBe(out);
    }
  });

  it('the thief\'s "A retired by X" (X planted after B) removes neither B nor C, its successor; the real notice still removes X after', () => {
    const before = agentAfter({ keys: [A.announce(B)] }, { keys: [A.announce(X)] }, { keys: [B.announce(C)] });
    const forged = applyRetirements(before, [X.retire(A.keyId, AT)]);
    expect(forged.removed).toEqual([A.keyId]);
    expect(ids(forged.keys)).toEqual(only(B, C, X));
    // A is retired already, but the real notice (another signer) still prunes the branch planted after B.
    const real = applyRetirements(forged.keys, [X.retire(A.keyId, AT), B.retire(A.keyId, AT)]);
    expect(real.removed).toEqual([X.keyId]);
    expect(ids(real.keys)).toEqual(only(B, C));
    expect(applyRetirements(real.keys, [X.retire(A.keyId, AT), B.retire(A.keyId, AT)]).keys).toBe(real.keys);
  });

  it('chain A→B→C: "A retired by C" keeps B and C (the path), removes a key planted under B after C', () => {
    const chain = agentAfter({ keys: [A.announce(B), B.announce(C)] });
    const out = applyRetirements(chain, [C.retire(A.keyId, AT)]);
    expect(out.removed).toEqual([A.keyId]);
    expect(ids(out.keys)).toEqual(only(B, C));
    const planted = agentAfter({ keys: [A.announce(B), B.announce(C)] }, { keys: [B.announce(Y)], retired: [C.retire(A.keyId, AT)] });
    expect(ids(planted)).toEqual(only(B, C));
    expect(Object.keys(planted.retired).sort()).toEqual(only(A, Y));
  });

  it('the limit: a branch pinned BEFORE the successor (A stolen before B was pinned here) stays: this Mac must enroll again', () => {
    const out = agentAfter({ keys: [A.announce(X)] }, { keys: [A.announce(B)] }, { retired: [B.retire(A.keyId, AT)] });
    expect(ids(out)).toEqual(only(B, X));
  });

  it('a never-activated next key (announced by B, retired without a notice) stays pinned after its voucher is retired', () => {
    // N = Y here: announced by B, then the server retired it (no notice) and announced C instead.
    const out = agentAfter({ keys: [A.announce(B), B.announce(Y)] }, { keys: [B.announce(C)] }, { retired: [B.retire(A.keyId, AT), C.retire(B.keyId, AT)] });
    expect(ids(out)).toEqual(only(C, Y));
  });

  it('never unpins the signer nor leaves no key pinned, whatever the notices', () => {
    const all = [A, B, C, X, Y];
    const start = agentAfter({ keys: [A.announce(B), A.announce(X), B.announce(C), X.announce(Y)] });
    const notices = all.flatMap((s) => all.filter((k) => k !== s).map((k) => s.retire(k.keyId, AT)));
    for (const n of notices) {
      const one = applyRetirements(start, [n]);
      expect(one.removed).not.toContain(n.signedBy);
      expect(one.keys.pinned).toHaveProperty(n.signedBy);
    }
    expect(Object.keys(applyRetirements(start, notices).keys.pinned).length).toBeGreaterThan(0);
  });
});

describe('credentials written before lineage was kept', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const SERVER = 'https://fleet.example/';
  const legacy = { ...pinnedKeysOf(A.publicKey), ...pinnedKeysOf(B.publicKey) };

  it('load with the pinned keys in their order, vouchers unknown; a save keeps the lineage; a malformed one makes the agent enroll again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'agent-lineage-'));
    dirs.push(dir);
    const file = path.join(dir, 'credentials.json');
    await writeFile(file, JSON.stringify({ serverUrl: SERVER, deviceId: 'd1', deviceToken: 't1', serverPublicKey: A.publicKey, serverKeys: legacy, enrolledAt: '2026-01-01T00:00:00Z' }));
    const loaded = await loadCredentials(dir, SERVER);
    expect(loaded?.keyLineage).toEqual({ [A.keyId]: { seq: 0 }, [B.keyId]: { seq: 1 } });
    await saveCredentials(dir, loaded!);
    expect((await loadCredentials(dir, SERVER))?.keyLineage).toEqual(loaded!.keyLineage);
    const text = JSON.parse(await readFile(file, 'utf8'));
    // A voucher pinned after the key it vouched for (or not at all) is malformed.
    await writeFile(file, JSON.stringify({ ...text, keyLineage: { [A.keyId]: { seq: 0, vouchedBy: B.keyId }, [B.keyId]: { seq: 1 } } }));
    expect(await loadCredentials(dir, SERVER)).toBeNull();
    expect(isKeyLineage({ [A.keyId]: { seq: -1 } })).toBe(false);
    expect(isKeyLineage({ [A.keyId]: { seq: 0, vouchedBy: null }, [B.keyId]: { seq: 1, vouchedBy: A.keyId } })).toBe(true);
  });

  it('a retirement waits for the announcement that shows the voucher (the server sends it with the notice); the lockout is refused all the same', () => {
    const trust: TrustedKeys = { pinned: legacy, lineage: completeLineage(legacy), retired: {} };
    // Unknown lineage: neither key may retire the other.
    expect(applyRetirements(trust, [B.retire(A.keyId, AT)]).keys).toBe(trust);
    expect(applyRetirements(trust, [A.retire(B.keyId, AT)]).keys).toBe(trust);
    // "A announced by B" cannot make B (pinned later) A's voucher; "B announced by A" shows B's.
    expect(pinAnnounced(trust, [B.announce(A)]).learned).toEqual([]);
    const learned = pinAnnounced(trust, [A.announce(B)]);
    expect(learned).toMatchObject({ added: [], learned: [B.keyId] });
    expect(learned.keys.lineage[B.keyId]).toEqual({ seq: 1, vouchedBy: A.keyId });
    expect(applyRetirements(learned.keys, [A.retire(B.keyId, AT)]).removed).toEqual([]);
    expect(applyRetirements(learned.keys, [B.retire(A.keyId, AT)]).keys.pinned).toEqual(pinnedKeysOf(B.publicKey));
    // Once known, a voucher never changes.
    expect(pinAnnounced(learned.keys, [A.announce(B)]).keys).toBe(learned.keys);
  });
});
