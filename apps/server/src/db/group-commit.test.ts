import { describe, expect, it } from 'vitest';
import { GroupCommit, storeEachAloneOnFailure } from './group-commit.js';

/** Resolves when `release` is called: a write that stays in flight until the test lets it go. */
function gate(): { wait: Promise<void>; release: () => void } {
  let release!: () => void;
  const wait = new Promise<void>((r) => { release = r; });
  return { wait, release };
}

describe('GroupCommit', () => {
  it('puts what arrives during a write into the next one, and answers each item with its own result', async () => {
    const flushes: number[][] = [];
    const first = gate();
    const writer = new GroupCommit<number, number>(storeEachAloneOnFailure(async (items) => {
      flushes.push(items);
      if (flushes.length === 1) await first.wait;
      return items.map((n) => n * 10);
    }));
    const results = Promise.all([1, 2, 3, 4].map((n) => writer.submit(n)));
    expect(writer.backlog).toBe(4);
    first.release();
    expect(await results).toEqual([10, 20, 30, 40]);
    // The first item goes alone (nothing in flight); the three that came meanwhile go together.
    expect(flushes).toEqual([[1], [2, 3, 4]]);
    await new Promise((r) => setImmediate(r)); // the write's own promise settles after its items
    expect(writer.backlog).toBe(0);
  });

  it('a bad item fails alone: the items that shared its write are stored again one by one', async () => {
    const writer = new GroupCommit<string, string>(storeEachAloneOnFailure(async (items) => {
      if (items.includes('bad')) throw new Error(`cannot store ${items.join('+')}`);
      return items.map((s) => s.toUpperCase());
    }));
    const first = writer.submit('first'); // in flight while the next three queue up
    const [a, bad, b] = await Promise.allSettled(['a', 'bad', 'b'].map((s) => writer.submit(s)));
    expect(await first).toBe('FIRST');
    expect(a).toEqual({ status: 'fulfilled', value: 'A' });
    expect(b).toEqual({ status: 'fulfilled', value: 'B' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('cannot store bad') });
  });

  it('a write may answer some items early; when it then throws, only the items it left unanswered get the error', async () => {
    const held = gate();
    const writer = new GroupCommit<number, string>(async (batch) => {
      if (batch[0]!.item === 0) {
        await held.wait;
        return batch[0]!.resolve('held');
      }
      batch[0]!.resolve('stored first');
      throw new Error('the rest could not be stored');
    }, { maxBatch: 10 });
    const zero = writer.submit(0); // in flight: 1 and 2 wait and go together
    const both = Promise.allSettled([writer.submit(1), writer.submit(2)]);
    held.release();
    expect(await zero).toBe('held');
    const [early, late] = await both;
    expect(early).toEqual({ status: 'fulfilled', value: 'stored first' });
    expect(late).toMatchObject({ status: 'rejected', reason: new Error('the rest could not be stored') });
    // The queue goes on after a failed write.
    const next = new GroupCommit<number, number>(async (batch) => { for (const w of batch) w.resolve(w.item + 1); });
    expect(await next.submit(41)).toBe(42);
  });

  it('with `concurrency` 2, two writes are in flight at once and the rest wait for a free one', async () => {
    const gates = [gate(), gate()];
    const started: number[][] = [];
    const writer = new GroupCommit<number, number>(async (batch) => {
      started.push(batch.map((w) => w.item));
      const g = gates[started.length - 1];
      if (g) await g.wait;
      for (const w of batch) w.resolve(w.item);
    }, { maxBatch: 2, concurrency: 2 });
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => writer.submit(n)));
    // 1 and 2 each start a write of their own (two free); 3, 4 and 5 wait.
    expect(started).toEqual([[1], [2]]);
    expect(writer.backlog).toBe(5);
    gates[1]!.release();
    await new Promise((r) => setImmediate(r));
    // 2's write done: 3 and 4 go together (maxBatch 2), then 5, while 1 is still in flight.
    expect(started).toEqual([[1], [2], [3, 4], [5]]);
    expect(writer.backlog).toBe(1);
    gates[0]!.release();
    expect(await all).toEqual([1, 2, 3, 4, 5]);
  });

  it('a write that throws before returning its promise, or forgets an item, fails those items and the queue goes on (found by review)', async () => {
    let calls = 0;
    const writer = new GroupCommit<number, number>((batch) => {
      calls += 1;
      if (calls === 1) throw new Error('thrown at once');
      if (calls === 2) return Promise.resolve(); // answers nothing
      for (const w of batch) w.resolve(w.item * 2);
      return Promise.resolve();
    });
    await expect(writer.submit(1)).rejects.toThrow('thrown at once');
    await expect(writer.submit(2)).rejects.toThrow('group commit: the write ended without answering this item');
    expect(await writer.submit(3)).toBe(6);
  });
});
