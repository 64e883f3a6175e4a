import { lstat, readdir, realpath, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * A folder measured without following symlinks: `sizeBytes` is the sum of the regular files'
 * sizes (bytes; a symlink counts 0 and is never followed), `modifiedAt` the newest mtime of the
 * folder and everything in it (ISO 8601). `exists` false: nothing at the path. `problem`: why the
 * measure is missing or partial (a symlink at the path, a folder that cannot be read).
 */
export interface TreeMeasure {
  exists: boolean;
  sizeBytes: number | null;
  modifiedAt: string | null;
  problem?: string;
}

/** What a removal did: bytes of regular files unlinked, and why it stopped or refused (null: all removed or nothing there). */
export interface TreeRemoval {
  existed: boolean;
  removedBytes: number;
  problem: string | null;
}

/** Entries walked at most per folder measured: Zoom's caches hold thousands, not millions. */
export const MEASURE_ENTRY_LIMIT = 200_000;

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Measures `dir` (absolute local path) with lstat only. Never throws. */
export async function measureTree(dir: string): Promise<TreeMeasure> {
  let top;
  try {
    top = await lstat(dir);
  } catch (error) {
    if (code(error) === 'ENOENT' || code(error) === 'ENOTDIR') return { exists: false, sizeBytes: null, modifiedAt: null };
    return { exists: true, sizeBytes: null, modifiedAt: null, problem: `${dir}: ${(error as Error).message}` };
  }
  if (top.isSymbolicLink()) return { exists: true, sizeBytes: null, modifiedAt: null, problem: `${dir} is a symlink: not followed` };
  if (!top.isDirectory()) return { exists: true, sizeBytes: top.size, modifiedAt: top.mtime.toISOString(), problem: `${dir} is not a folder` };
  let bytes = 0;
  let newest = top.mtimeMs;
  let entries = 0;
  const pending = [dir];
  try {
    while (pending.length > 0) {
      const folder = pending.pop()!;
      for (const name of await readdir(folder)) {
        if (++entries > MEASURE_ENTRY_LIMIT) {
          return { exists: true, sizeBytes: null, modifiedAt: null, problem: `${dir}: more than ${MEASURE_ENTRY_LIMIT} entries, not measured` };
        }
        const child = path.join(folder, name);
        const st = await lstat(child);
        newest = Math.max(newest, st.mtimeMs);
        if (st.isDirectory()) pending.push(child);
        else if (st.isFile()) bytes += st.size;
      }
    }
  } catch (error) {
    return { exists: true, sizeBytes: null, modifiedAt: null, problem: `${dir}: ${(error as Error).message}` };
  }
  return { exists: true, sizeBytes: bytes, modifiedAt: new Date(newest).toISOString() };
}

/**
 * Removes the folder `dir` (absolute local path) and everything in it without following a
 * symlink: a symlink inside is unlinked (its target is left alone), a symlink AT `dir` or in any
 * folder between `root` and `dir` is refused (nothing removed), so no removal leaves the tree
 * it was given. Counts the bytes of the regular files it unlinked. Never throws; stops at the
 * first error and says where.
 */
export async function removeTreeNoFollow(dir: string, root = '/'): Promise<TreeRemoval> {
  let top;
  try {
    top = await lstat(dir);
  } catch (error) {
    if (code(error) === 'ENOENT') return { existed: false, removedBytes: 0, problem: null };
    return { existed: true, removedBytes: 0, problem: `${dir}: ${(error as Error).message}` };
  }
  if (top.isSymbolicLink()) return { existed: true, removedBytes: 0, problem: `${dir} is a symlink: refused, not followed` };
  if (!top.isDirectory()) return { existed: true, removedBytes: 0, problem: `${dir} is not a folder: refused` };
  const parent = path.dirname(dir);
  try {
    const expected = path.join(await realpath(root), path.relative(root, parent));
    const real = await realpath(parent);
    if (real !== expected) return { existed: true, removedBytes: 0, problem: `${parent} resolves to ${real} through a symlink: refused` };
  } catch (error) {
    return { existed: true, removedBytes: 0, problem: `${parent}: ${(error as Error).message}` };
  }
  const removed = { bytes: 0 };
  try {
    await removeInside(dir, removed);
    await rmdir(dir);
  } catch (error) {
    return { existed: true, removedBytes: removed.bytes, problem: `stopped: ${(error as Error).message}` };
  }
  return { existed: true, removedBytes: removed.bytes, problem: null };
}

async function removeInside(dir: string, removed: { bytes: number }): Promise<void> {
  for (const name of await readdir(dir)) {
    const child = path.join(dir, name);
    const st = await lstat(child);
    if (st.isDirectory()) {
      await removeInside(child, removed);
      await rmdir(child);
    } else {
      await unlink(child);
      if (st.isFile()) removed.bytes += st.size;
    }
  }
}
