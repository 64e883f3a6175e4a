import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One run of `softwareupdate --list`: its output (stdout then stderr) and when it ran (ISO 8601). */
export interface CachedUpdateList {
  checkedAt: string;
  output: string;
}

/** Where the last `softwareupdate --list` is kept between collections. */
export interface SoftwareUpdateCache {
  /** The last run, or null when none is kept (or the file is unreadable: the list is then read again). */
  read(): Promise<CachedUpdateList | null>;
  write(run: CachedUpdateList): Promise<void>;
}

/** The cache file in the agent's state dir. */
export const SOFTWARE_UPDATE_CACHE_FILE = 'softwareupdate-list.json';

/** The cache as `<stateDir>/softwareupdate-list.json`, written to a temporary file and renamed (never half-written). */
export class FileSoftwareUpdateCache implements SoftwareUpdateCache {
  private readonly file: string;
  constructor(stateDir: string) {
    this.file = path.join(stateDir, SOFTWARE_UPDATE_CACHE_FILE);
  }

  async read(): Promise<CachedUpdateList | null> {
    try {
      const v = JSON.parse(await readFile(this.file, 'utf8')) as Partial<CachedUpdateList>;
      return typeof v.checkedAt === 'string' && !Number.isNaN(Date.parse(v.checkedAt)) && typeof v.output === 'string' ? { checkedAt: v.checkedAt, output: v.output } : null;
    } catch {
      return null;
    }
  }

  async write(run: CachedUpdateList): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(run), { mode: 0o600 });
    await rename(tmp, this.file);
  }
}
