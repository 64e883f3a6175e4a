import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { commandSigningPayload } from '@fleetmedic/protocol';

const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;
let cached: { text: string; key: KeyObject } | null = null;

function publicKeyOf(text: string): KeyObject {
  if (cached?.text !== text) cached = { text, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' }) };
  return cached.key;
}

/**
 * Checks a command envelope (unvalidated, as received) against the server key pinned at
 * enrollment (Ed25519, raw 32 bytes, base64url). The signature (64 bytes, base64url) must cover
 * `commandSigningPayload(envelope)`: id, deviceId, action, createdAt and expiresAt. Returns null
 * when it does, else the refusal reason in words (no pinned key, unsigned, malformed, bad).
 */
export function signatureRefusal(envelope: { signature?: unknown }, pinnedKey: string | null): string | null {
  if (!pinnedKey) return 'refused: no server signing key was pinned at enrollment, so no command can be checked; enroll this agent again with a server that signs commands';
  if (!PUBLIC_KEY.test(pinnedKey)) return 'refused: the pinned server key in credentials.json is not a 32-byte base64url Ed25519 key; enroll this agent again';
  const { signature } = envelope;
  if (signature === undefined || signature === null || signature === '') return 'refused: the command is not signed';
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return 'refused: the command signature is not a 64-byte base64url Ed25519 signature';
  const ok = verify(null, Buffer.from(commandSigningPayload(envelope as Parameters<typeof commandSigningPayload>[0]), 'utf8'), publicKeyOf(pinnedKey), Buffer.from(signature, 'base64url'));
  return ok ? null : 'refused: bad signature: the command was altered or not signed by the server key pinned at enrollment';
}
