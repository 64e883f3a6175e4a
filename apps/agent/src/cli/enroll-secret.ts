import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Exit status for a refused configuration (sysexits EX_CONFIG), as the launcher uses for a bad install. */
export const EX_CONFIG = 78;

/** Largest secret file read, bytes: a secret is a few dozen. */
const MAX_SECRET_FILE_BYTES = 4096;

/** The enrollment secret file cannot be used; the agent exits with `exitCode` (78). */
export class EnrollSecretFileError extends Error {
  override name = 'EnrollSecretFileError';
  readonly exitCode = EX_CONFIG;
}

/**
 * The enrollment secret from `file`: its one line, surrounding whitespace (the newline `echo`
 * adds) removed. With `asRoot` (the LaunchDaemon) the file must belong to root and give group
 * and others no permission at all (e.g. mode 600): any local user could otherwise read it.
 * The checks are made on the opened file itself, so a file swapped in between is not read.
 * Throws EnrollSecretFileError saying what is wrong and how to fix it.
 */
export async function readEnrollSecretFile(file: string, asRoot: boolean): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not hang the agent; a regular file ignores it.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new EnrollSecretFileError(`cannot read the enrollment secret file ${file}: ${(error as Error).message}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new EnrollSecretFileError(`enrollment secret file ${file} is not a regular file`);
    if (asRoot && st.uid !== 0) {
      throw new EnrollSecretFileError(`refusing the enrollment secret file ${file}: running as root, it must belong to root (it belongs to uid ${st.uid}): sudo chown root '${file}'`);
    }
    if (asRoot && (st.mode & 0o077) !== 0) {
      throw new EnrollSecretFileError(
        `refusing the enrollment secret file ${file}: running as root, group and others must have no access to it (mode ${(st.mode & 0o777).toString(8).padStart(3, '0')}): sudo chmod 600 '${file}'`,
      );
    }
    if (st.size > MAX_SECRET_FILE_BYTES) throw new EnrollSecretFileError(`enrollment secret file ${file} is ${st.size} bytes: it should hold only the secret, on one line`);
    const secret = (await handle.readFile('utf8')).trim();
    if (secret === '') throw new EnrollSecretFileError(`enrollment secret file ${file} is empty`);
    if (/[\r\n]/.test(secret)) throw new EnrollSecretFileError(`enrollment secret file ${file} has more than one line: it should hold only the secret, on one line`);
    return secret;
  } finally {
    await handle.close();
  }
}

/**
 * The enrollment secret for `run`: read from `enrollSecretFile` (--enroll-secret-file, or the file
 * FLEETMEDIC_ENROLL_SECRET_FILE names), else `enrollSecret` (--enroll-secret: simple, but on the
 * command line every local user sees it in `ps`). Commander refuses both at once. Throws Error
 * when neither is given, EnrollSecretFileError (exit 78) for an unusable file.
 */
export async function resolveEnrollSecret(
  opts: { enrollSecret?: string; enrollSecretFile?: string },
  asRoot = process.getuid?.() === 0,
): Promise<string> {
  if (opts.enrollSecretFile !== undefined) return readEnrollSecretFile(opts.enrollSecretFile, asRoot);
  if (opts.enrollSecret !== undefined) return opts.enrollSecret;
  throw new Error('no enrollment secret: give --enroll-secret-file <path> (or set FLEETMEDIC_ENROLL_SECRET_FILE), or --enroll-secret <secret>');
}
