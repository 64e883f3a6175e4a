import { generateKeyPairSync, sign } from 'node:crypto';
import { commandSigningPayload } from '@fleetmedic/protocol';

/** A stand-in for the server's command-signing key in agent tests (a real Ed25519 key pair). */
export interface TestSigner {
  /** raw 32-byte public key, base64url: what EnrollResponse.serverPublicKey carries */
  publicKey: string;
  /** the envelope plus `signature` over commandSigningPayload(envelope) */
  sign<T extends Record<string, unknown>>(envelope: T): T & { signature: string };
}

/** A new Ed25519 key pair that signs command envelopes as the server does. */
export function testSigner(): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ format: 'jwk' }).x!,
    sign: (envelope) => ({ ...envelope, signature: sign(null, Buffer.from(commandSigningPayload(envelope), 'utf8'), privateKey).toString('base64url') }),
  };
}
