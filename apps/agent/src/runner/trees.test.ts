// Folder measure and removal on real files in a temp folder, symlink escapes included.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureTree, removeTreeNoFollow } from './trees.js';

/** A home with a Zoom cache folder (two files, 100 + 250 bytes) and, beside it, a file that is not Zoom's. */
function home() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'trees-'));
  const cache = path.join(root, 'Library/Caches/us.zoom.xos');
  mkdirSync(path.join(cache, 'data'), { recursive: true });
  writeFileSync(path.join(cache, 'Cache.db'), Buffer.alloc(100));
  writeFileSync(path.join(cache, 'data', 'blob'), Buffer.alloc(250));
  const outside = path.join(root, 'Documents');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'thesis.txt'), 'not Zoom\'s');
  return { root, cache, outside };
}

describe('measureTree', () => {
  it('sums regular files in bytes and gives the newest mtime of the folder and its contents', async () => {
    const { cache } = home();
    const at = (p: string, iso: string) => utimesSync(p, new Date(iso), new Date(iso));
    at(path.join(cache, 'data', 'blob'), '2026-11-01T10:00:00Z');
    at(path.join(cache, 'Cache.db'), '2026-11-02T08:30:00Z');
    at(path.join(cache, 'data'), '2026-10-01T00:00:00Z');
    at(cache, '2026-10-01T00:00:00Z');
    expect(await measureTree(cache)).toEqual({ exists: true, sizeBytes: 350, modifiedAt: '2026-11-02T08:30:00.000Z' });
  });

  it('does not follow a symlink inside (counts 0) nor at the path itself', async () => {
    const { root, cache, outside } = home();
    symlinkSync(outside, path.join(cache, 'escape'));
    expect(await measureTree(cache)).toMatchObject({ exists: true, sizeBytes: 350 });
    const link = path.join(root, 'Library/Logs/zoom.us');
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(outside, link);
    expect(await measureTree(link)).toEqual({ exists: true, sizeBytes: null, modifiedAt: null, problem: `${link} is a symlink: not followed` });
  });

  it('an absent folder does not exist; it is not 0 bytes', async () => {
    expect(await measureTree('/nonexistent/zoom.us')).toEqual({ exists: false, sizeBytes: null, modifiedAt: null });
  });
});

describe('removeTreeNoFollow', () => {
  it('removes the folder and reports the bytes of the files removed', async () => {
    const { cache } = home();
    expect(await removeTreeNoFollow(cache)).toEqual({ existed: true, removedBytes: 350, problem: null });
    expect(existsSync(cache)).toBe(false);
  });

  it('a symlink inside pointing out is unlinked, its target kept', async () => {
    const { cache, outside } = home();
    symlinkSync(outside, path.join(cache, 'escape'));
    symlinkSync(path.join(outside, 'thesis.txt'), path.join(cache, 'data', 'file-escape'));
    expect(await removeTreeNoFollow(cache)).toEqual({ existed: true, removedBytes: 350, problem: null });
    expect(readFileSync(path.join(outside, 'thesis.txt'), 'utf8')).toBe('not Zoom\'s');
  });

  it('refuses a symlink at the path itself: nothing removed on either side', async () => {
    const { root, outside } = home();
    const link = path.join(root, 'Library/Logs/zoom.us');
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(outside, link);
    expect(await removeTreeNoFollow(link)).toEqual({ existed: true, removedBytes: 0, problem: `${link} is a symlink: refused, not followed` });
    expect(existsSync(path.join(outside, 'thesis.txt'))).toBe(true);
    expect(existsSync(link)).toBe(true);
  });

  it('refuses a path reached through a symlinked parent (Library/Caches -> elsewhere)', async () => {
    const { root, outside } = home();
    const victim = path.join(outside, 'us.zoom.xos');
    mkdirSync(victim);
    writeFileSync(path.join(victim, 'keep'), 'x');
    const lib = path.join(root, 'Library2');
    symlinkSync(outside, lib);
    const r = await removeTreeNoFollow(path.join(lib, 'us.zoom.xos'), root);
    expect(r).toMatchObject({ existed: true, removedBytes: 0, problem: expect.stringContaining('through a symlink: refused') });
    expect(existsSync(path.join(victim, 'keep'))).toBe(true);
  });

  it('an absent folder: nothing to do, no problem', async () => {
    expect(await removeTreeNoFollow('/nonexistent/zoom.us')).toEqual({ existed: false, removedBytes: 0, problem: null });
  });
});
