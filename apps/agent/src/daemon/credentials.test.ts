import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { enrollmentKey } from './credentials.js';

const stateDir = () => mkdtemp(path.join(os.tmpdir(), 'agent-key-'));

describe('enrollmentKey', () => {
  it('makes a 32-byte base64url key once and gives the same one after (a restart reads the file)', async () => {
    const dir = await stateDir();
    const first = await enrollmentKey(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await enrollmentKey(dir)).toBe(first);
    expect((await readFile(path.join(dir, 'enrollment-key'), 'utf8')).trim()).toBe(first);
    expect(await enrollmentKey(await stateDir())).not.toBe(first);
  });

  it('replaces a malformed key, and throws when the file cannot be read for another reason than absence', async () => {
    const dir = await stateDir();
    await writeFile(path.join(dir, 'enrollment-key'), 'not a key\n');
    expect(await enrollmentKey(dir)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const blocked = await stateDir();
    await mkdir(path.join(blocked, 'enrollment-key'));
    await expect(enrollmentKey(blocked)).rejects.toThrow(/EISDIR/);
  });
});
