import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnrollSecretFileError, readEnrollSecretFile, resolveEnrollSecret } from './enroll-secret.js';

const isRoot = process.getuid?.() === 0;

/** A secret file in a fresh folder, with `mode` (and owner `uid` when given; needs root). */
async function secretFile(text: string, mode = 0o600, uid?: number): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'fm-secret-')), 'enroll-secret');
  await writeFile(file, text);
  await chmod(file, mode);
  if (uid !== undefined) await chown(file, uid, uid);
  return file;
}

async function refusal(file: string, asRoot: boolean): Promise<EnrollSecretFileError> {
  const error = await readEnrollSecretFile(file, asRoot).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(EnrollSecretFileError);
  expect((error as EnrollSecretFileError).exitCode).toBe(78);
  return error as EnrollSecretFileError;
}

describe('readEnrollSecretFile', () => {
  it('returns the one line without the newline echo adds', async () => {
    expect(await readEnrollSecretFile(await secretFile('enroll-AbC_123\n'), isRoot)).toBe('enroll-AbC_123');
    expect(await readEnrollSecretFile(await secretFile('  two words ok \r\n'), isRoot)).toBe('two words ok');
  });

  it('refuses, as root, a file that is not root\'s alone, saying how to fix it', async () => {
    const foreign = await secretFile('enroll-x\n', 0o600, isRoot ? 501 : undefined);
    const owner = await refusal(foreign, true);
    expect(owner.message).toBe(`refusing the enrollment secret file ${foreign}: running as root, it must belong to root (it belongs to uid ${isRoot ? 501 : process.getuid!()}): sudo chown root '${foreign}'`);
    // Not root: whoever runs the agent may keep the secret where they like.
    expect(await readEnrollSecretFile(foreign, false)).toBe('enroll-x');
  });

  it.skipIf(!isRoot)('refuses, as root, a root-owned file that group or others can read or write', async () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602]) {
      const file = await secretFile('enroll-x\n', mode);
      const error = await refusal(file, true);
      expect(error.message).toBe(`refusing the enrollment secret file ${file}: running as root, group and others must have no access to it (mode ${mode.toString(8)}): sudo chmod 600 '${file}'`);
    }
    expect(await readEnrollSecretFile(await secretFile('enroll-x\n', 0o400), true)).toBe('enroll-x');
  });

  it('missing, a folder, a FIFO, empty, several lines, or too large: a clear refusal, never a hang or an empty secret', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fm-secret-'));
    expect((await refusal(path.join(dir, 'nope'), false)).message).toMatch(/^cannot read the enrollment secret file .*nope: ENOENT/);
    expect((await refusal(dir, false)).message).toBe(`enrollment secret file ${dir} is not a regular file`);
    const fifo = path.join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect((await refusal(fifo, false)).message).toBe(`enrollment secret file ${fifo} is not a regular file`);
    const empty = await secretFile('\n');
    expect((await refusal(empty, false)).message).toBe(`enrollment secret file ${empty} is empty`);
    const twoLines = await secretFile('enroll-a\nenroll-b\n');
    expect((await refusal(twoLines, false)).message).toBe(`enrollment secret file ${twoLines} has more than one line: it should hold only the secret, on one line`);
    const large = await secretFile('x'.repeat(5000));
    expect((await refusal(large, false)).message).toBe(`enrollment secret file ${large} is 5000 bytes: it should hold only the secret, on one line`);
  });
});

describe('resolveEnrollSecret', () => {
  it('reads the file when one is named, else takes the secret given, else says what to give', async () => {
    expect(await resolveEnrollSecret({ enrollSecretFile: await secretFile('from-file\n') })).toBe('from-file');
    expect(await resolveEnrollSecret({ enrollSecret: 'from-flag' })).toBe('from-flag');
    await expect(resolveEnrollSecret({})).rejects.toThrow('no enrollment secret: give --enroll-secret-file <path> (or set FLEETMEDIC_ENROLL_SECRET_FILE), or --enroll-secret <secret>');
  });
});
