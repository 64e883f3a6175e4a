import type { EnrollRequest, EnrollResponse } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';
import { hexDigestsEqual, newSecret, sha256Hex } from '../auth/secrets.js';
import { HttpError } from '../errors.js';
import type { SigningKeySource } from '../signing/signing-key.js';

/** What enrollment did: a new device, or a new token for a device that proved it holds its current token. */
export interface EnrollOutcome extends EnrollResponse {
  /** always given by this server: the fleet's command-signing public key, which the agent pins */
  serverPublicKey: string;
  reenrolled: boolean;
}

/**
 * True when `secret` matches an active (not revoked) EnrollSecret. Every active hash is compared
 * in constant time, without stopping at the first match, so timing tells nothing about which
 * secret or how much of it matched.
 */
export async function enrollSecretValid(prisma: PrismaClient, secret: string): Promise<boolean> {
  const hash = sha256Hex(secret);
  const active = await prisma.enrollSecret.findMany({ where: { revokedAt: null }, select: { secretHash: true } });
  let ok = false;
  for (const row of active) ok = hexDigestsEqual(hash, row.secretHash) || ok;
  return ok;
}

/**
 * Enrolls a device: checks the enrollment secret (401 when unknown or revoked), then issues a new
 * device token (32 random bytes, base64url), returned once; only its sha256 is stored. The answer
 * carries the fleet's command-signing public key (Ed25519, raw base64url), which the agent pins:
 * it runs only commands signed with the matching private key.
 *
 * Re-enrollment: an agent that presents its current device token (`deviceToken`) gets a new token
 * for the same device (the old one stops working), which keeps its id, history, findings and
 * commands. Without that proof the request enrolls a new device, even with a known serial number:
 * a serial number is printed on the Mac and shown to every viewer, so it proves nothing, and
 * accepting it would let anyone holding the fleet's enrollment secret take over a Mac's identity
 * and receive its commands. A reinstalled agent therefore appears as a new device next to the
 * old one (same serial number), which goes offline.
 */
export async function enrollDevice(prisma: PrismaClient, keys: SigningKeySource, request: EnrollRequest): Promise<EnrollOutcome> {
  if (!(await enrollSecretValid(prisma, request.enrollSecret))) {
    throw new HttpError(401, 'unauthorized', 'unknown or revoked enrollment secret');
  }
  const { publicKey: serverPublicKey } = await keys.get();
  const deviceToken = newSecret(32);
  const tokenHash = sha256Hex(deviceToken);
  const { host } = request;
  const facts = {
    hostname: host.hostname,
    serialNumber: host.serialNumber,
    hardwareModel: host.hardwareModel,
    architecture: host.architecture,
    platform: host.platform,
  };
  const existing = request.deviceToken
    ? await prisma.device.findUnique({ where: { tokenHash: sha256Hex(request.deviceToken) } })
    : null;
  if (existing) {
    await prisma.device.update({ where: { id: existing.id }, data: { ...facts, tokenHash, enrolledAt: new Date() } });
    return { deviceId: existing.id, deviceToken, serverPublicKey, reenrolled: true };
  }
  const created = await prisma.device.create({ data: { ...facts, tokenHash } });
  return { deviceId: created.id, deviceToken, serverPublicKey, reenrolled: false };
}
