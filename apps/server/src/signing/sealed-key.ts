import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Length of a key-encryption key, bytes (AES-256). */
export const KEK_BYTES = 32;
/** Version tag every sealed private key starts with: the format below, AES-256-GCM. */
const TAG = 'fmkey:v1';
const IV_BYTES = 12;

/**
 * Thrown when a sealed key cannot be opened with the key-encryption key given: sealed under
 * another one (the message names both ids), or altered.
 */
export class SealedKeyError extends Error {
  override name = 'SealedKeyError';
}

/**
 * A short public name of a key-encryption key (HMAC-SHA256 of a fixed label under it, first 6
 * bytes, base64url: 8 characters). Stored beside each sealed key so that a wrong KEK is reported
 * as such, by id, and logged at start; it reveals nothing of the KEK.
 */
export function kekIdOf(kek: Buffer): string {
  return createHmac('sha256', kek).update('fleetmedic-kek-id-v1').digest().subarray(0, 6).toString('base64url');
}

/** True when `stored` is sealed (this format), false when it is anything else (e.g. a PEM in clear from an older server). */
export const isSealed = (stored: string): boolean => stored.startsWith(`${TAG}:`);

/**
 * Seals `secret` (a PKCS#8 PEM) under `kek` (32 bytes) with AES-256-GCM (random 96-bit IV),
 * bound to `context` (authenticated, not stored: the key's public half, so a sealed private key
 * copied onto another key's row does not open). Text: `fmkey:v1:<kekId>:<iv>:<ciphertext>:<tag>`,
 * base64url parts.
 */
export function sealKey(secret: string, kek: Buffer, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [TAG, kekIdOf(kek), iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
}

/**
 * Opens what sealKey made with the same `kek` and `context`. Throws SealedKeyError when it was
 * sealed under another KEK (naming the stored and the given KEK ids), is not in this format, or
 * does not authenticate (altered, or moved to another key's row).
 */
export function openSealedKey(stored: string, kek: Buffer, context: string): string {
  const parts = stored.split(':');
  if (parts.length !== 6 || `${parts[0]}:${parts[1]}` !== TAG) throw new SealedKeyError(`not a sealed key in the ${TAG} format`);
  const [, , storedKekId, iv, body, tag] = parts as [string, string, string, string, string, string];
  const givenKekId = kekIdOf(kek);
  if (storedKekId !== givenKekId) {
    throw new SealedKeyError(`it was sealed under key-encryption key ${storedKekId}, and the key-encryption key given is ${givenKekId}`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealedKeyError('it does not authenticate under the key-encryption key given (altered, or moved from another key\'s row)');
  }
}
