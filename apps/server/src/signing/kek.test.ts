import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_KEK_FILE, resolveKeyEncryptionKey } from './kek.js';
import { kekIdOf } from './sealed-key.js';

const dirs: string[] = [];
const scratch = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'fm-kek-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const KEY = Buffer.alloc(32, 0x2a);

describe('the key-encryption key', () => {
  it('comes from FLEETMEDIC_KEY_ENCRYPTION_KEY in base64 or base64url, or from the file _FILE names', async () => {
    const dataDir = await scratch();
    expect(await resolveKeyEncryptionKey({ value: KEY.toString('base64'), dataDir })).toEqual({ key: KEY, source: 'FLEETMEDIC_KEY_ENCRYPTION_KEY', id: kekIdOf(KEY) });
    const urlSafe = Buffer.alloc(32, 0xfb);
    expect((await resolveKeyEncryptionKey({ value: urlSafe.toString('base64url'), dataDir })).key).toEqual(urlSafe);
    const file = path.join(dataDir, 'mounted-secret');
    await writeFile(file, `${KEY.toString('base64')}\n`);
    expect(await resolveKeyEncryptionKey({ file, dataDir })).toMatchObject({ key: KEY, source: `FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE=${file}` });
  });

  it('refuses a value that is not 32 bytes, both settings at once, and a file it cannot read', async () => {
    const dataDir = await scratch();
    await expect(resolveKeyEncryptionKey({ value: Buffer.alloc(16).toString('base64'), dataDir })).rejects.toThrow('FLEETMEDIC_KEY_ENCRYPTION_KEY: a key-encryption key is 32 random bytes in base64');
    await expect(resolveKeyEncryptionKey({ value: 'correct horse battery staple', dataDir })).rejects.toThrow(/is 32 random bytes/);
    await expect(resolveKeyEncryptionKey({ value: KEY.toString('base64'), file: '/x', dataDir })).rejects.toThrow('are both set: set one');
    await expect(resolveKeyEncryptionKey({ file: path.join(dataDir, 'absent'), dataDir })).rejects.toThrow(/FLEETMEDIC_KEY_ENCRYPTION_KEY_FILE=.*absent: cannot read it: ENOENT/);
  });

  it('without either, is generated once in the data folder (mode 0600), said so, and reused at the next start', async () => {
    const dataDir = await scratch();
    const generated: string[] = [];
    const first = await resolveKeyEncryptionKey({ dataDir, onGenerated: (f) => generated.push(f) });
    const file = path.join(dataDir, GENERATED_KEK_FILE);
    expect(generated).toEqual([file]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64')).toEqual(first.key);
    const again = await resolveKeyEncryptionKey({ dataDir, onGenerated: (f) => generated.push(f) });
    expect(again.key).toEqual(first.key);
    expect(generated).toHaveLength(1);
    // Two servers starting together on one data folder end with one key.
    await expect(resolveKeyEncryptionKey({ dataDir: await scratch(), generate: false })).rejects.toThrow(/^no key-encryption key: set FLEETMEDIC_KEY_ENCRYPTION_KEY/);
    const racing = await scratch();
    const keys = await Promise.all(Array.from({ length: 4 }, () => resolveKeyEncryptionKey({ dataDir: racing })));
    expect(new Set(keys.map((k) => k.id)).size).toBe(1);
  });
});
