import { generateKeyPairSync, sign } from 'node:crypto';
import { commandSigningPayload, keyAnnouncementPayload, keyRetirementPayload, type KeyAnnouncement, type KeyRetirement } from '@fleetmedic/protocol';
import { keyIdOf } from '@fleetmedic/protocol/signing';

/** A stand-in for the server's command-signing key in agent tests (a real Ed25519 key pair). */
export interface TestSigner {
  /** raw 32-byte public key, base64url: what EnrollResponse.serverPublicKey carries */
  publicKey: string;
  /** keyIdOf(publicKey) */
  keyId: string;
  /** the envelope plus `signature` over commandSigningPayload(envelope) (no `keyId`, as servers before key rotation sent) */
  sign<T extends Record<string, unknown>>(envelope: T): T & { signature: string };
  /** this key vouching for `next`, as the server announces a rotated key */
  announce(next: { publicKey: string }): KeyAnnouncement;
  /** this key's notice that key `keyId` was retired at `retiredAt` (ISO 8601), as the server's `keys retire` signs it */
  retire(keyId: string, retiredAt?: string): KeyRetirement;
}

/** A new Ed25519 key pair that signs command envelopes, key announcements and retirement notices as the server does. */
export function testSigner(): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  const signText = (text: string) => sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64url');
  return {
    publicKey: x,
    keyId: keyIdOf(x),
    sign: (envelope) => ({ ...envelope, signature: signText(commandSigningPayload(envelope)) }),
    announce: (next) => {
      const keyId = keyIdOf(next.publicKey);
      return { keyId, publicKey: next.publicKey, signedBy: keyIdOf(x), signature: signText(keyAnnouncementPayload({ keyId, publicKey: next.publicKey })) };
    },
    retire: (keyId, retiredAt = '2026-03-01T12:00:00.000Z') => ({ keyId, retiredAt, signedBy: keyIdOf(x), signature: signText(keyRetirementPayload({ keyId, retiredAt })) }),
  };
}
