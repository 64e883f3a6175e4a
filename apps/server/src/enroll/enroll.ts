import { createHmac, randomUUID } from 'node:crypto';
import type { EnrollRequest, EnrollResponse } from '@fleetmedic/protocol';
import type { PrismaClient } from '../generated/prisma/client.js';
import { hexDigestsEqual, newSecret, sha256Hex } from '../auth/secrets.js';
import { ServiceError } from '../errors.js';
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

/** HKDF label of the secret that re-enrollment tokens are derived with. */
const REENROLL_LABEL = 'fleetmedic-reenroll-token-v1';

// The device whose current token, or whose replaced token not yet superseded by a socket, is $1
// takes the token $2 ($1 becomes its previous one). A retry finds it by previousTokenHash and
// sets the same values again.
const REENROLL_SQL = `
UPDATE "Device" SET "previousTokenHash" = $1, "tokenHash" = $2, hostname = $3, "serialNumber" = $4, "hardwareModel" = $5,
  architecture = $6, platform = $7, "enrolledAt" = $8::timestamp(3)
WHERE "tokenHash" = $1 OR "previousTokenHash" = $1
RETURNING id::text`;

/** A device token derived from `input` with the signing key's secret for `label` (HMAC-SHA256, base64url). */
const derivedToken = (key: { derivedSecret(label: string): Buffer | string }, label: string, input: string): string =>
  createHmac('sha256', key.derivedSecret(label)).update(input).digest('base64url');

/** HKDF label of the secret that first-enrollment tokens are derived with (from the agent's enrollment key). */
const ENROLL_LABEL = 'fleetmedic-enroll-token-v1';

// A new device $1 for the enrollment key whose sha256 is $2, with token hash $3; the device that
// still has that key (an earlier attempt whose answer was lost: the key is forgotten once the
// device's token opens a socket) keeps its id and token and takes the host facts again.
const ENROLL_SQL = `
INSERT INTO "Device" (id, "enrollmentKeyHash", "tokenHash", hostname, "serialNumber", "hardwareModel", architecture, platform, "enrolledAt")
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::timestamp(3))
ON CONFLICT ("enrollmentKeyHash") DO UPDATE SET hostname = EXCLUDED.hostname, "serialNumber" = EXCLUDED."serialNumber",
  "hardwareModel" = EXCLUDED."hardwareModel", architecture = EXCLUDED.architecture, platform = EXCLUDED.platform
RETURNING id::text`;

// The token of a device found by its enrollment key, derived again (the signing key may have
// changed since the first attempt); nothing when the key was forgotten in between.
const ENROLL_RETRY_SQL = `
UPDATE "Device" SET "tokenHash" = $1, "previousTokenHash" = NULL WHERE id = $2::uuid AND "enrollmentKeyHash" = $3
RETURNING id::text`;

/**
 * Enrolls a device: checks the enrollment secret (401 when unknown or revoked), then issues a new
 * device token (32 random bytes, base64url), returned once; only its sha256 is stored. The answer
 * carries the fleet's command-signing public key (Ed25519, raw base64url), which the agent pins:
 * it runs only commands signed with the matching private key.
 *
 * Re-enrollment: an agent that presents its current device token (`deviceToken`) gets a new token
 * for the same device (the old one stops working), which keeps its id, history, findings and
 * commands. The new token is derived from the old one (HMAC with a secret derived from the
 * active signing key; a retry that straddles `keys activate` gets another token, and the one the
 * lost answer held stops working), so parallel re-enrollments with one token, and a retry whose answer was lost
 * (the old token is still accepted here until the new one opens a socket), all get the same
 * device and the same token. Without that proof the request enrolls a new device, even with a known serial number:
 * a serial number is printed on the Mac and shown to every viewer, so it proves nothing, and
 * accepting it would let anyone holding the fleet's enrollment secret take over a Mac's identity
 * and receive its commands. A reinstalled agent therefore appears as a new device next to the
 * old one (same serial number), which goes offline.
 *
 * First enrollment: an agent sends the enrollment key it made and saved before asking
 * (`enrollmentKey`, 32+ random bytes). The device token is derived from it and the device id, and
 * the device is found by the key's sha256, so a retry after a lost or timed-out answer (a busy server during a
 * fleet-wide rollout) gets the same device and token instead of a ghost next to it. The server
 * forgets the key when the device's token first opens a socket (as it forgets a replaced token):
 * from then on the key proves nothing, so a leaked or cloned state folder, or a Mac whose token
 * was refused, enrolls as a new device, as without a key (older agents).
 */
export async function enrollDevice(prisma: PrismaClient, keys: SigningKeySource, request: EnrollRequest): Promise<EnrollOutcome> {
  if (!(await enrollSecretValid(prisma, request.enrollSecret))) {
    throw new ServiceError('unauthorized', 'unknown or revoked enrollment secret');
  }
  const key = (await keys.get()).active;
  const serverPublicKey = key.publicKey;
  const { host } = request;
  const facts = {
    hostname: host.hostname,
    serialNumber: host.serialNumber,
    hardwareModel: host.hardwareModel,
    architecture: host.architecture,
    platform: host.platform,
  };
  if (request.deviceToken) {
    // The next token is a function of the presented one: concurrent requests and a retry after a
    // lost answer all compute the same token, and one UPDATE (a row lock) moves the device to it.
    const deviceToken = derivedToken(key, REENROLL_LABEL, request.deviceToken);
    const presented = sha256Hex(request.deviceToken);
    const rows = await prisma.$queryRawUnsafe<{ id: string }[]>(REENROLL_SQL, presented, sha256Hex(deviceToken), facts.hostname, facts.serialNumber,
      facts.hardwareModel, facts.architecture, facts.platform, new Date().toISOString());
    if (rows[0]) return { deviceId: rows[0].id, deviceToken, serverPublicKey, reenrolled: true };
  }
  if (request.enrollmentKey) {
    // The token is a function of the agent's enrollment key and the device id: a retry whose
    // answer was lost, or a parallel one, finds the device by the key's hash and gets its token;
    // the same key after it was forgotten (a cloned state folder) makes another device and token.
    const keyHash = sha256Hex(request.enrollmentKey);
    const tokenFor = (id: string) => derivedToken(key, ENROLL_LABEL, `${request.enrollmentKey}/${id}`);
    const newId = randomUUID();
    const [row] = await prisma.$queryRawUnsafe<{ id: string }[]>(ENROLL_SQL, newId, keyHash, sha256Hex(tokenFor(newId)), facts.hostname,
      facts.serialNumber, facts.hardwareModel, facts.architecture, facts.platform, new Date().toISOString());
    const deviceToken = tokenFor(row!.id);
    if (row!.id === newId) return { deviceId: newId, deviceToken, serverPublicKey, reenrolled: false };
    const [retried] = await prisma.$queryRawUnsafe<{ id: string }[]>(ENROLL_RETRY_SQL, sha256Hex(deviceToken), row!.id, keyHash);
    if (retried) return { deviceId: retried.id, deviceToken, serverPublicKey, reenrolled: false };
    // The key was forgotten between the two statements (its token opened a socket): a new device, below.
  }
  const deviceToken = newSecret(32);
  const tokenHash = sha256Hex(deviceToken);
  const created = await prisma.device.create({ data: { ...facts, tokenHash } });
  return { deviceId: created.id, deviceToken, serverPublicKey, reenrolled: false };
}
