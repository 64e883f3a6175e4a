import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('puts what arrives during a flush into the next one, and answers each item with its own result', async () => {
    const flushes: number[][] = [];
    const writer = new GroupCommit<number, number>(async (items) => {
      flushes.push(items);
      await new Promise((r) => setTimeout(r, 20));
      return items.map((n) => n * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => writer.submit(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    // The first item goes alone (nothing in flight); the three that came meanwhile go together.
    expect(flushes).toEqual([[1], [2, 3, 4]]);
    expect(writer.backlog).toBe(0);
  });

  it('a bad item fails alone: the items that shared its flush are written again one by one', async () => {
    const writer = new GroupCommit<string, string>(async (items) => {
      if (items.includes('bad')) throw new Error(`cannot store ${items.join('+')}`);
      return items.map((s) => s.toUpperCase());
    });
    const first = writer.submit('first'); // in flight while the next three queue up
    const [a, bad, b] = await Promise.allSettled(['a', 'bad', 'b'].map((s) => writer.submit(s)));
    expect(await first).toBe('FIRST');
    expect(a).toEqual({ status: 'fulfilled', value: 'A' });
    expect(b).toEqual({ status: 'fulfilled', value: 'B' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('cannot store bad') });
  });
});
