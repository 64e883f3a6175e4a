import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RealRunner } from './real.js';
import { notRunWords } from './types.js';

describe('RealRunner (this machine)', () => {
  const runner = new RealRunner();

  it('passes arguments as an array: shell metacharacters arrive literally', async () => {
    const r = await runner.run('/bin/echo', ['a; rm -rf /', '$(whoami)', '`id`']);
    expect(r).toMatchObject({ stdout: 'a; rm -rf / $(whoami) `id`\n', exitCode: 0, notInstalled: false });
  });

  it('runs children in the C locale with a fixed PATH', async () => {
    const r = await runner.run('/usr/bin/env', []);
    expect(r.stdout).toContain('LANG=C\n');
    expect(r.stdout).toContain('LC_ALL=C\n');
    expect(r.stdout).toContain('PATH=/usr/bin:/bin:/usr/sbin:/sbin\n');
  });

  it('reports exit codes, stderr, missing programs, relative programs, timeouts and output caps', async () => {
    const fail = await runner.run('/bin/sh', ['-c', 'echo oops >&2; exit 3']);
    expect(fail).toMatchObject({ stderr: 'oops\n', exitCode: 3, notInstalled: false });
    const missing = await runner.run('/usr/bin/no-such-program', []);
    expect(missing).toMatchObject({ exitCode: null, notInstalled: true });
    // A real ENOENT is a program that is not installed; only a replay says "not recorded".
    expect(missing.notRecorded).toBeUndefined();
    expect(notRunWords(missing)).toBe('not installed');
    const relative = await runner.run('sqlite3', ['-version']);
    expect(relative.stderr).toContain('must be an absolute path');
    const slow = await runner.run('/bin/sleep', ['5'], { timeoutMs: 200 });
    expect(slow.exitCode).toBeNull();
    expect(slow.note).toBe('timed out after 200 ms');
    expect(slow.durationMs).toBeLessThan(3000);
    const capped = await new RealRunner(1000).run('/usr/bin/head', ['-c', '100000', '/dev/zero']);
    expect(capped.exitCode).toBeNull();
    expect(capped.note).toBe('output exceeded 1000 bytes; process killed');
    // A command's own cap (the unified log's) is lower than the runner's, never higher.
    expect((await new RealRunner(1000).run('/usr/bin/head', ['-c', '100000', '/dev/zero'], { maxOutputBytes: 500 })).note).toBe('output exceeded 500 bytes; process killed');
    expect((await new RealRunner(1000).run('/usr/bin/head', ['-c', '100000', '/dev/zero'], { maxOutputBytes: 5000 })).note).toBe('output exceeded 1000 bytes; process killed');
  });

  it('reads files and says why not', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'real-runner-'));
    await writeFile(path.join(dir, 'a.txt'), 'hello');
    const ok = await runner.readFile(path.join(dir, 'a.txt'));
    expect(ok.ok && ok.data.toString()).toBe('hello');
    expect(await runner.readFile(path.join(dir, 'missing'))).toMatchObject({ ok: false, kind: 'not-found' });
    expect(await runner.readFile(dir)).toMatchObject({ ok: false, kind: 'other' });
    expect(await runner.exists(path.join(dir, 'a.txt'))).toBe(true);
    expect(await runner.exists(path.join(dir, 'missing'))).toBe(false);
    expect(await runner.listDir(dir)).toEqual(['a.txt']);
    expect(await runner.listDir(path.join(dir, 'missing'))).toEqual([]);
  });
});
