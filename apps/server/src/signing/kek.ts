import { chmod, link, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { KEK_BYTES, kekIdOf } from './sealed-key.js';

/** Where the key-encryption key came from, as said in logs and errors (never the key itself). */
export interface KeyEncryptionKey {
  key: Buffer;
  /** e.g. "FLEETMEDIC_KEY_ENCRYPTION_KEY", "FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE=/etc/fleetmedic/kek", "generated file .data/key-encryption-key" */
  source: string;
  /** kekIdOf(key) */
  id: string;
}

/** Thrown for a key-encryption key setting that cannot be used; the message says which and why. */
export class KeyEncryptionKeyError extends Error {
  override name = 'KeyEncryptionKeyError';
}

/** File name of the generated key-encryption key in the data folder. */
export const GENERATED_KEK_FILE = 'key-encryption-key';

/** 32 bytes from base64 or base64url text (surrounding whitespace ignored), else KeyEncryptionKeyError naming `source`. */
function decodeKek(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64') : Buffer.alloc(0);
  if (key.length !== KEK_BYTES) {
    throw new KeyEncryptionKeyError(`${source}: a key-encryption key is ${KEK_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`); this is not`);
  }
  return key;
}

/**
 * The key-encryption key (KEK) that seals the signing keys in the database, from, in order:
 * 1. `value` (FLEETMEDIC_KEY_ENCRYPTION_KEY: 32 bytes, base64 or base64url);
 * 2. `file` (FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE: a file holding that text, e.g. a mounted secret);
 * 3. neither: `<dataDir>/key-encryption-key`, created on first start (32 random bytes, base64,
 *    mode 0600) and reused after; `onGenerated` is told its path, to log it. This keeps the
 *    one-command demo one command; the KEK is never written to the database.
 * Throws KeyEncryptionKeyError when both are given, when the text is not 32 bytes, when the
 * file cannot be read, or when the generated file is missing and `generate` is false.
 */
export async function resolveKeyEncryptionKey(opts: {
  value?: string; file?: string; dataDir: string; onGenerated?: (file: string) => void;
  /** false: a missing generated file is an error (the key CLI must not make a KEK of its own) */
  generate?: boolean;
}): Promise<KeyEncryptionKey> {
  if (opts.value !== undefined && opts.file !== undefined) {
    throw new KeyEncryptionKeyError('FLEETMEDIC_KEY_ENCRYPTION_KEY and FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE are both set: set one');
  }
  if (opts.value !== undefined) return withId(decodeKek(opts.value, 'FLEETMEDIC_KEY_ENCRYPTION_KEY'), 'FLEETMEDIC_KEY_ENCRYPTION_KEY');
  if (opts.file !== undefined) {
    const source = `FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE=${opts.file}`;
    const text = await readFile(opts.file, 'utf8').catch((error: Error) => {
      throw new KeyEncryptionKeyError(`${source}: cannot read it: ${error.message}`);
    });
    return withId(decodeKek(text, source), source);
  }
  const file = path.join(opts.dataDir, GENERATED_KEK_FILE);
  const source = `generated file ${file}`;
  try {
    return withId(decodeKek(await readFile(file, 'utf8'), source), source);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (opts.generate === false) {
    throw new KeyEncryptionKeyError(`no key-encryption key: set FLEETMEDIC_KEY_ENCRYPTION_KEY or FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE as the server has them, or FLEETMEDIC_DATA_DIR to the server's data folder (${file} does not exist)`);
  }
  const key = randomBytes(KEK_BYTES);
  // Written whole to a temporary file, then linked into place: two servers starting on one data
  // folder never read a half-written key, and never overwrite each other's (link fails with EEXIST).
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveKeyEncryptionKey(opts);
    throw new KeyEncryptionKeyError(`cannot create ${file}: ${(error as Error).message}`);
  } finally {
    await rm(tmp, { force: true });
  }
  opts.onGenerated?.(file);
  return withId(key, source);
}

const withId = (key: Buffer, source: string): KeyEncryptionKey => ({ key, source, id: kekIdOf(key) });

