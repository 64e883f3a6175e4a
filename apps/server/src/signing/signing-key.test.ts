import { createPublicKey, verify } from 'node:crypto';
import { commandSigningPayload } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { TEST_KEY_ENCRYPTION_KEY } from '../testing/test-kek.js';
import { kekIdOf } from './sealed-key.js';
import { SigningKeySource, loadSigningKeyring, newKeyPair } from './signing-key.js';

const KEK = TEST_KEY_ENCRYPTION_KEY;
const OTHER_KEK = Buffer.alloc(32, 0x11);

let db: TestDatabase;
/** A second database, emptied of keys before each test that uses it. */
let other: TestDatabase;
beforeAll(async () => {
  [db, other] = await Promise.all([openTestDatabase(), openTestDatabase()]);
});
afterAll(async () => {
  await Promise.all([db?.cleanup(), other?.cleanup()]);
});

const envelope = {
  id: 'b9f7a5e2-3c1d-4e8f-9a6b-0c2d4e6f8a1b',
  deviceId: '0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f',
  action: { type: 'tcc.reset' as const, params: { service: 'Camera' as const, bundleId: 'us.zoom.xos' } },
  createdAt: '2026-03-01T11:59:00.000Z',
  expiresAt: '2026-03-08T11:59:00.000Z',
};

/** Runs `work` on the second database without keys. */
async function withOtherDatabase(work: (other: TestDatabase) => Promise<void>): Promise<void> {
  await other.prisma.serverSigningKey.deleteMany();
  await work(other);
}

describe('the fleet signing key in Postgres, sealed under the key-encryption key', () => {
  it('instances racing to create it on a fresh database all get the same key, stored once, its private half sealed (no PEM in the row)', async () => {
    const keyrings = await Promise.all(Array.from({ length: 6 }, () => loadSigningKeyring(db.prisma, KEK)));
    expect(new Set(keyrings.map((k) => k.active.publicKey)).size).toBe(1);
    expect(await db.prisma.serverSigningKey.count()).toBe(1);
    const row = await db.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: 'primary' } });
    expect(row).toMatchObject({ algorithm: 'ed25519', publicKey: keyrings[0]!.active.publicKey, state: 'active' });
    expect(row.privateKey).toMatch(new RegExp(`^fmkey:v1:${kekIdOf(KEK)}:`));
    expect(row.privateKey).not.toContain('PRIVATE KEY');
    expect(keyrings[0]!.active.keyId).toBe(keyIdOf(row.publicKey));
    expect((await new SigningKeySource(db.prisma, KEK).get()).active.publicKey).toBe(row.publicKey);
  });

  it('signs the canonical payload: node:crypto verifies it with the public key alone, and any field change breaks it', async () => {
    const key = (await new SigningKeySource(db.prisma, KEK).get()).active;
    const signature = key.sign(envelope);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' });
    const ok = (e: object) => verify(null, Buffer.from(commandSigningPayload(e), 'utf8'), pub, Buffer.from(signature, 'base64url'));
    expect(ok(envelope)).toBe(true);
    expect(ok({ ...envelope, id: 'b9f7a5e2-3c1d-4e8f-9a6b-0c2d4e6f8a1c' })).toBe(false);
    expect(ok({ ...envelope, createdAt: '2026-03-01T11:59:01.000Z' })).toBe(false);
    expect(ok({ ...envelope, action: { type: 'tcc.reset', params: { service: 'Camera', bundleId: 'us.zoom.xos2' } } })).toBe(false);
    // Key order is not part of what is signed.
    expect(ok({ expiresAt: envelope.expiresAt, action: { params: { bundleId: 'us.zoom.xos', service: 'Camera' }, type: 'tcc.reset' }, id: envelope.id, deviceId: envelope.deviceId, createdAt: envelope.createdAt })).toBe(true);
    expect(commandSigningPayload(envelope)).toBe(
      '["fleetmedic-command-v1","b9f7a5e2-3c1d-4e8f-9a6b-0c2d4e6f8a1b","0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f","tcc.reset",[["bundleId","us.zoom.xos"],["service","Camera"]],"2026-03-01T11:59:00.000Z","2026-03-08T11:59:00.000Z"]',
    );
  });

  it('signs and checks a batch in the thread pool: the same signatures as one by one, every refusal named, in order', async () => {
    const keyring = await new SigningKeySource(db.prisma, KEK).get();
    const key = keyring.active;
    // 1,234 envelopes: past ON_LOOP_MAX, and three slices of the pool, the last one partial.
    const envelopes = Array.from({ length: 1234 }, (_, i) => ({ ...envelope, id: `b9f7a5e2-3c1d-4e8f-9a6b-${String(i).padStart(12, '0')}` }));
    const signatures = await key.signAll(envelopes);
    expect(signatures).toEqual(envelopes.map((e) => key.sign(e)));
    expect(await key.signAll(envelopes.slice(0, 3))).toEqual(signatures.slice(0, 3)); // a few: on the loop, the same
    const items = envelopes.map((e, i) => ({ envelope: e, signature: signatures[i]!, keyId: key.keyId as string | null }));
    items[7] = { ...items[7]!, envelope: { ...items[7]!.envelope, deviceId: envelope.id } }; // altered row
    items[600] = { ...items[600]!, signature: signatures[601]! }; // another row's signature
    items[900] = { ...items[900]!, keyId: 'unknown-key' };
    items[1233] = { ...items[1233]!, signature: null as unknown as string };
    const reasons = await keyring.refusals(items);
    const altered = 'not sent: the stored signature does not match the command (the row was altered or inserted outside the command service)';
    expect(Object.fromEntries(reasons.flatMap((r, i) => (r === null ? [] : [[i, r]])))).toEqual({
      7: altered,
      600: altered,
      900: 'not sent: the command was signed by key unknown-key, which is retired or unknown; queue it again',
      1233: expect.stringMatching(/^not sent: the command has no signature from its creation/),
    });
  });

  it('a key an older server stored in clear is sealed in place on first load: same key, no PEM left in the row', async () => {
    await withOtherDatabase(async () => {
      const pair = newKeyPair();
      await other.prisma.serverSigningKey.create({ data: { id: 'primary', algorithm: 'ed25519', ...pair } });
      const told: string[] = [];
      const keyring = await loadSigningKeyring(other.prisma, KEK, (keyId) => told.push(keyId));
      expect(keyring.active.publicKey).toBe(pair.publicKey);
      expect(told).toEqual([keyIdOf(pair.publicKey)]);
      const row = await other.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: 'primary' } });
      expect(row.privateKey).toMatch(/^fmkey:v1:/);
      expect(row.privateKey).not.toContain('PRIVATE KEY');
      // Loads again from the sealed row, signs the same.
      const again = await loadSigningKeyring(other.prisma, KEK, (keyId) => told.push(keyId));
      expect(again.active.sign(envelope)).toBe(keyring.active.sign(envelope));
      expect(told).toHaveLength(1);
    });
  });

  it('a wrong key-encryption key is an error naming both KEK ids; the row is untouched and no new key is made', async () => {
    const before = await db.prisma.serverSigningKey.findMany();
    await expect(loadSigningKeyring(db.prisma, OTHER_KEK)).rejects.toThrow(
      `it was sealed under key-encryption key ${kekIdOf(KEK)}, and the key-encryption key given is ${kekIdOf(OTHER_KEK)}. Start the server with the key-encryption key it was stored under`,
    );
    await expect(new SigningKeySource(db.prisma, OTHER_KEK).get()).rejects.toThrow(/cannot decrypt its private key/);
    expect(await db.prisma.serverSigningKey.findMany()).toEqual(before);
  });

  it('a sealed key copied onto another key\'s row, or altered, does not open', async () => {
    await withOtherDatabase(async () => {
      const first = await loadSigningKeyring(other.prisma, KEK);
      const { privateKey } = await other.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: 'primary' } });
      const foreign = newKeyPair();
      await other.prisma.serverSigningKey.update({ where: { id: 'primary' }, data: { publicKey: foreign.publicKey } });
      await expect(loadSigningKeyring(other.prisma, KEK)).rejects.toThrow(/does not authenticate under the key-encryption key given/);
      const flipped = privateKey!.slice(0, -30) + (privateKey!.at(-30) === 'A' ? 'B' : 'A') + privateKey!.slice(-29);
      await other.prisma.serverSigningKey.update({ where: { id: 'primary' }, data: { publicKey: first.active.publicKey, privateKey: flipped } });
      await expect(loadSigningKeyring(other.prisma, KEK)).rejects.toThrow(/does not authenticate/);
    });
  });

  it('refuses a stored key whose halves do not match, or that does not parse, instead of replacing it (agents have pinned it)', async () => {
    await withOtherDatabase(async () => {
      const mine = newKeyPair();
      await other.prisma.serverSigningKey.create({ data: { id: 'primary', algorithm: 'ed25519', publicKey: mine.publicKey, privateKey: newKeyPair().privateKey } });
      await expect(loadSigningKeyring(other.prisma, KEK)).rejects.toThrow(`ServerSigningKey primary (key id ${keyIdOf(mine.publicKey)}): the stored public key does not belong to the stored private key`);
      await other.prisma.serverSigningKey.update({ where: { id: 'primary' }, data: { privateKey: 'not a pem' } });
      await expect(loadSigningKeyring(other.prisma, KEK)).rejects.toThrow(/^ServerSigningKey primary \(key id [A-Za-z0-9_-]{16}\): the stored private key does not parse/);
      expect(await other.prisma.serverSigningKey.count()).toBe(1);
    });
  });
});
