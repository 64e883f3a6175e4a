import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { completeLineage, isKeyLineage, type KeyLineage } from '../remediation/key-lineage.js';
import { isRetiredKeys } from '../remediation/key-retirement.js';
import { isPinnedKeys, pinnedKeysOf, type PinnedKeys, type RetiredKeys } from '../remediation/signature.js';

/**
 * What enrollment gave this agent, kept in `<state>/credentials.json` (mode 0600).
 * `serverPublicKey` is the server's command-signing key pinned at enrollment (Ed25519, raw,
 * base64url); null when the server offered none, so every command is refused. `serverKeys` are
 * all the keys pinned (key id -> public key): that one, and each the server announced since under
 * the signature of one already pinned (key rotation without enrolling again), less those the
 * server retired since. `retiredKeys` are the keys the server retired (key id -> when, from its
 * signed notice; key-retirement.ts), never pinned again; absent from files written before
 * retirement notices (read as none). `keyLineage` is, for every key pinned (still or once), who
 * vouched for it and the order it was pinned in (key-lineage.ts): what decides which key may
 * retire which; absent from files written before it (read as the pinned keys in their order,
 * vouchers unknown until an announcement shows them).
 */
export interface Credentials {
  serverUrl: string;
  deviceId: string;
  deviceToken: string;
  serverPublicKey: string | null;
  serverKeys: PinnedKeys;
  retiredKeys?: RetiredKeys;
  keyLineage?: KeyLineage;
  enrolledAt: string;
}

const FILE = 'credentials.json';

/**
 * The stored credentials for `serverUrl`, or null (none yet, another server, unreadable, a
 * malformed `serverKeys`, `retiredKeys` or `keyLineage`, or written before key pinning — no `serverPublicKey` member at all —,
 * so that the agent enrolls again and pins the key; a Mac with a serial number keeps its device
 * id). A file written before key rotation (no `serverKeys`) loads with the enrollment key alone;
 * one written before lineage (no `keyLineage`, or missing pinned keys) loads with it completed
 * (completeLineage), so the result always has `retiredKeys` and a `keyLineage` for every pinned key.
 */
export async function loadCredentials(stateDir: string, serverUrl: string): Promise<Credentials | null> {
  try {
    const c = JSON.parse(await readFile(path.join(stateDir, FILE), 'utf8')) as Partial<Credentials>;
    if (typeof c.deviceId !== 'string' || typeof c.deviceToken !== 'string' || c.serverUrl !== serverUrl) return null;
    if (c.serverPublicKey !== null && typeof c.serverPublicKey !== 'string') return null;
    const serverKeys = c.serverKeys ?? pinnedKeysOf(c.serverPublicKey);
    const retiredKeys = c.retiredKeys ?? {};
    const lineage = c.keyLineage ?? {};
    if (!isPinnedKeys(serverKeys) || !isRetiredKeys(retiredKeys) || !isKeyLineage(lineage)) return null;
    return { ...c, serverKeys, retiredKeys, keyLineage: completeLineage(serverKeys, lineage) } as Credentials;
  } catch {
    return null;
  }
}

/**
 * The device token in a credentials file for `serverUrl` that `loadCredentials` no longer accepts
 * (e.g. written before key pinning): presented at re-enrollment, it proves this is the same device,
 * which then keeps its id and history. null when there is none.
 */
export async function previousDeviceToken(stateDir: string, serverUrl: string): Promise<string | null> {
  try {
    const c = JSON.parse(await readFile(path.join(stateDir, FILE), 'utf8')) as Partial<Credentials>;
    return c.serverUrl === serverUrl && typeof c.deviceToken === 'string' ? c.deviceToken : null;
  } catch {
    return null;
  }
}

/** Writes the credentials readable by the owner only (0600), atomically. */
export async function saveCredentials(stateDir: string, creds: Credentials): Promise<void> {
  const file = path.join(stateDir, FILE);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(creds, null, 2), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** Forgets the credentials (the server no longer accepts the token). */
export async function clearCredentials(stateDir: string): Promise<void> {
  await rm(path.join(stateDir, FILE), { force: true });
}

const KEY_FILE = 'enrollment-key';
const KEY_FORMAT = /^[A-Za-z0-9_-]{43,128}$/;

/**
 * This agent's enrollment key: 32 random bytes, base64url, in `<state>/enrollment-key` (0600),
 * made on first use, before the first enrollment request, and kept. Sent with every enrollment, it
 * lets the server answer a retry whose answer was lost with the same device and token instead of
 * a second device. A missing or malformed file gets a new key; other read errors are thrown.
 */
export async function enrollmentKey(stateDir: string): Promise<string> {
  const file = path.join(stateDir, KEY_FILE);
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (KEY_FORMAT.test(key)) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64url');
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${key}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
  return key;
}
