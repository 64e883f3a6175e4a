import { createHash } from 'node:crypto';

/**
 * The id of an Ed25519 signing key: the first 12 bytes of sha256 over the raw 32-byte public key,
 * base64url (16 characters). Both sides compute it from the key itself, so a key pinned before ids
 * existed (credentials.json with only `serverPublicKey`) has one too. Takes the public key as
 * base64url text (the JWK "x" value, EnrollResponse.serverPublicKey).
 */
export function keyIdOf(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest().subarray(0, 12).toString('base64url');
}
