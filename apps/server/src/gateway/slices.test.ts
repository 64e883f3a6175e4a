import { describe, expect, it } from 'vitest';
import { SliceQueue } from './slices.js';

/** A clock that moves only when a job says it worked: slices are cut by work done, not by how fast this machine is. */
function workClock() {
  let t = 0;
  return { now: () => t, work: (ms: number) => void (t += ms) };
}

describe('SliceQueue', () => {
  it('runs jobs in order, sliceMs of work per turn, and lets I/O and timers run between slices', async () => {
    const clock = workClock();
    const queue = new SliceQueue(5, clock.now);
    const log: string[] = [];
    const jobs = Array.from({ length: 12 }, (_, i) => queue.run(() => {
      clock.work(2); // three jobs reach 5 ms: 6 ms, the slice ends after the third
      log.push(`job ${i}`);
      if (i === 0) setImmediate(() => log.push('other work, queued by the first job'));
      return i * 10;
    }));
    expect(await Promise.all(jobs)).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
    expect(log.indexOf('other work, queued by the first job')).toBe(3); // after the first slice of three, before the fourth job
    expect(log.filter((l) => l.startsWith('job'))).toEqual(Array.from({ length: 12 }, (_, i) => `job ${i}`));
    expect(queue.stats).toEqual({ slicedJobs: 12, slices: 4, maxQueuedJobs: 12 });
  });

  it('a job that throws rejects its own promise only; a job longer than the slice still runs whole, alone', async () => {
    const clock = workClock();
    const queue = new SliceQueue(5, clock.now);
    const bad = queue.run(() => { throw new Error('not JSON'); });
    const long = queue.run(() => { clock.work(50); return 'long'; });
    const next = queue.run(() => 'next');
    await expect(bad).rejects.toThrow('not JSON');
    expect(await long).toBe('long');
    expect(await next).toBe('next');
    expect(queue.stats.slices).toBe(2); // the long job ended the first slice
  });

  it('jobs queued while it drains are run too, after those queued before them', async () => {
    const clock = workClock();
    const queue = new SliceQueue(1, clock.now);
    const results: number[] = [];
    const more: Array<Promise<number>> = [];
    const first = Array.from({ length: 1000 }, (_, i) => queue.run(() => {
      clock.work(1);
      if (i % 100 === 0) more.push(queue.run(() => 1000 + i));
      return i;
    }));
    results.push(...await Promise.all(first), ...await Promise.all(more));
    expect(results).toHaveLength(1010);
    expect(queue.stats.slicedJobs).toBe(1010);
    // Drained: a new job starts a fresh run.
    expect(await queue.run(() => 'again')).toBe('again');
  });

  it('a job that queues another, run in the same slice, leaves nothing behind to run (found by review: the second slice it scheduled ran an empty queue and threw)', async () => {
    const queue = new SliceQueue(5);
    let inner: Promise<number> | undefined;
    const outer = await queue.run(() => {
      inner = queue.run(() => 2);
      return 1;
    });
    expect([outer, await inner]).toEqual([1, 2]);
    await new Promise((r) => setImmediate(r)); // the slice it scheduled has run, and thrown nothing
    expect(queue.stats.slicedJobs).toBe(2);
  });
});
