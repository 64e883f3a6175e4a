import { createPrivateKey, generateKeyPairSync, hkdfSync, sign, type KeyObject } from 'node:crypto';
import { commandSigningPayload, type CommandEnvelope } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';

/** The one fleet-wide key row. */
const KEY_ID = 'primary';

/** A command envelope before signing. */
export type UnsignedEnvelope = Omit<CommandEnvelope, 'signature'>;

/**
 * The server's Ed25519 command-signing key. `publicKey` is the raw 32-byte key, base64url (the
 * JWK "x" value), as agents pin it from EnrollResponse.serverPublicKey.
 */
export class SigningKey {
  constructor(readonly publicKey: string, private readonly privateKey: KeyObject) {}

  /** Ed25519 signature of `commandSigningPayload(envelope)`, 64 bytes, base64url. */
  sign(envelope: UnsignedEnvelope): string {
    return sign(null, Buffer.from(commandSigningPayload(envelope), 'utf8'), this.privateKey).toString('base64url');
  }

  /**
   * A 32-byte secret derived from the private key for one other use, named by `label` (HKDF-SHA256,
   * so it reveals nothing of the signing key and differs per label). Stable while the key is.
   */
  derivedSecret(label: string): Buffer {
    const d = this.privateKey.export({ format: 'jwk' }).d!;
    return Buffer.from(hkdfSync('sha256', Buffer.from(d, 'base64url'), Buffer.alloc(0), label, 32));
  }

  /** The envelope with its signature. */
  signEnvelope(envelope: UnsignedEnvelope): CommandEnvelope {
    return { ...envelope, signature: this.sign(envelope) };
  }
}

/** A fresh key pair as stored: public raw base64url, private PKCS#8 PEM. */
function newKeyPair(): { publicKey: string; privateKey: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (!x) throw new Error('node:crypto exported an Ed25519 public key without "x"');
  return { publicKey: x, privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

/**
 * Reads the fleet's signing key from Postgres (ServerSigningKey "primary"), creating it on first
 * use. Instances racing to create it all end up with the same key: the insert is
 * `ON CONFLICT DO NOTHING` and everyone reads the row that won. A stored key that does not
 * parse, or whose public half does not match its private half, is an error (never replaced
 * silently: agents have pinned it).
 */
export async function loadOrCreateSigningKey(prisma: PrismaClient): Promise<SigningKey> {
  let row = await prisma.serverSigningKey.findUnique({ where: { id: KEY_ID } });
  if (!row) {
    await prisma.serverSigningKey.createMany({ data: [{ id: KEY_ID, algorithm: 'ed25519', ...newKeyPair() }], skipDuplicates: true });
    row = await prisma.serverSigningKey.findUniqueOrThrow({ where: { id: KEY_ID } });
  }
  if (row.algorithm !== 'ed25519') throw new Error(`ServerSigningKey ${KEY_ID} has algorithm "${row.algorithm}"; only ed25519 is supported`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(row.privateKey);
  } catch (error) {
    throw new Error(`ServerSigningKey ${KEY_ID}: the stored private key does not parse: ${(error as Error).message}`);
  }
  if (privateKey.export({ format: 'jwk' }).x !== row.publicKey) throw new Error(`ServerSigningKey ${KEY_ID}: the stored public key does not belong to the stored private key`);
  return new SigningKey(row.publicKey, privateKey);
}

/**
 * The one source of the fleet's signing key in a server (buildApp makes one and hands it to
 * command delivery, to sign, and to enrollment, to announce the public half): loaded once from
 * the database (a failed load is retried on the next call), then never re-read, so the key a Mac
 * is told at enrollment is the key its commands are signed with for the life of the process.
 * (A cache per Prisma client let the command pool's client load a replaced key row while
 * enrollment kept announcing the old one.)
 */
export class SigningKeySource {
  private key: Promise<SigningKey> | null = null;

  constructor(private readonly prisma: PrismaClient) {}

  get(): Promise<SigningKey> {
    if (!this.key) {
      const loading = loadOrCreateSigningKey(this.prisma);
      this.key = loading;
      loading.catch(() => {
        if (this.key === loading) this.key = null;
      });
    }
    return this.key;
  }
}
