import { createPublicKey, verify } from 'node:crypto';
import { commandSigningPayload } from '@fleetmedic/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { SigningKeySource, loadOrCreateSigningKey } from './signing-key.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.cleanup();
});

const envelope = {
  id: 'b9f7a5e2-3c1d-4e8f-9a6b-0c2d4e6f8a1b',
  deviceId: '0f1e2d3c-4b5a-4697-8879-6a5b4c3d2e1f',
  action: { type: 'tcc.reset' as const, params: { service: 'Camera' as const, bundleId: 'us.zoom.xos' } },
  createdAt: '2026-03-01T11:59:00.000Z',
  expiresAt: '2026-03-08T11:59:00.000Z',
};

describe('the fleet signing key in Postgres', () => {
  it('instances racing to create it on a fresh database all get the same key, stored once', async () => {
    const keys = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateSigningKey(db.prisma)));
    expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1);
    expect(await db.prisma.serverSigningKey.count()).toBe(1);
    const row = await db.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: 'primary' } });
    expect(row).toMatchObject({ algorithm: 'ed25519', publicKey: keys[0]!.publicKey });
    expect(row.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect((await new SigningKeySource(db.prisma).get()).publicKey).toBe(row.publicKey);
  });

  it('signs the canonical payload: node:crypto verifies it with the public key alone, and any field change breaks it', async () => {
    const key = await new SigningKeySource(db.prisma).get();
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

  it('refuses a stored key whose halves do not match instead of replacing it (agents have pinned it)', async () => {
    const row = await db.prisma.serverSigningKey.findUniqueOrThrow({ where: { id: 'primary' } });
    const other = await openTestDatabase();
    try {
      const foreign = await loadOrCreateSigningKey(other.prisma);
      await other.prisma.serverSigningKey.update({ where: { id: 'primary' }, data: { publicKey: row.publicKey } });
      expect(foreign.publicKey).not.toBe(row.publicKey);
      await expect(loadOrCreateSigningKey(other.prisma)).rejects.toThrow('ServerSigningKey primary: the stored public key does not belong to the stored private key');
      await other.prisma.serverSigningKey.update({ where: { id: 'primary' }, data: { privateKey: 'not a pem' } });
      await expect(loadOrCreateSigningKey(other.prisma)).rejects.toThrow(/^ServerSigningKey primary: the stored private key does not parse/);
    } finally {
      await other.cleanup();
    }
  });
});
