import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * One state file written whole, atomically (temp file + rename) and one write at a time, so
 * writes started together land in the order they were started and never race on the temp path
 * (two acks at once used to rename one `.tmp` twice: ENOENT). A failed write fails its own
 * caller only; the next one still runs.
 */
export class SerialFile {
  private last: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Replaces the file's content with `text` (UTF-8). */
  write(text: string): Promise<void> {
    return this.then(async () => {
      await writeFile(`${this.file}.tmp`, text);
      await rename(`${this.file}.tmp`, this.file);
    });
  }

  /** Removes the file (absent is fine). */
  remove(): Promise<void> {
    return this.then(() => rm(this.file, { force: true }));
  }

  private then(step: () => Promise<void>): Promise<void> {
    const run = this.last.catch(() => {}).then(step);
    this.last = run;
    return run;
  }
}
