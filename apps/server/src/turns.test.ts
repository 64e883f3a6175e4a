import { describe, expect, it } from 'vitest';
import { eachInTurns } from './turns.js';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('eachInTurns', () => {
  it('does the first part now and each next part in a later turn, in order', async () => {
    const seen: number[] = [];
    eachInTurns([1, 2, 3, 4, 5, 6, 7], 3, (n) => seen.push(n));
    expect(seen).toEqual([1, 2, 3]);
    await nextTurn();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    await nextTurn();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await nextTurn();
    expect(seen).toHaveLength(7);
  });

  it('stops before a part once go() is false', async () => {
    const seen: number[] = [];
    let go = true;
    eachInTurns([1, 2, 3, 4, 5], 2, (n) => seen.push(n), () => go);
    go = false;
    await nextTurn();
    await nextTurn();
    expect(seen).toEqual([1, 2]);
  });

  it('calls nothing for no items, and refuses a part of fewer than one', () => {
    const seen: number[] = [];
    eachInTurns([], 2, (n: number) => seen.push(n));
    expect(seen).toEqual([]);
    expect(() => eachInTurns([1], 0, () => {})).toThrow(RangeError);
    expect(() => eachInTurns([1], Number.NaN, () => {})).toThrow(RangeError);
  });
});
