// Live reloads on a busy fleet: events asked for refetches faster than the API answered, and
// each refetch superseded the one in flight, so no load ever landed (the browser test found
// pages stuck with no findings, or a bulk button counting an old list, for 30 s).
import { describe, expect, it } from 'vitest';
import { Reloader } from '../web/model/reloader.js';

/** A load the test answers by hand, in any order. */
function loads() {
  const pending: { resolve: (v: string) => void; reject: (e: Error) => void }[] = [];
  const landed: string[] = [];
  const failed: string[] = [];
  let started = 0;
  const reloader = new Reloader<string>(
    () => new Promise<string>((resolve, reject) => pending.push({ resolve, reject })),
    { started: () => void (started += 1), loaded: (v) => void landed.push(v), failed: (e) => void failed.push((e as Error).message) },
  );
  return { reloader, pending, landed, failed, started: () => started };
}
const settled = () => new Promise((r) => setTimeout(r, 0));

describe('Reloader', () => {
  it('lands every load while refreshes keep coming: those asked for during a load make one more after it', async () => {
    const { reloader, pending, landed, started } = loads();
    reloader.restart();
    for (let i = 0; i < 20; i++) reloader.refresh(); // a busy fleet's events during the first load
    expect(started()).toBe(1);
    pending[0]!.resolve('first');
    await settled();
    expect(landed).toEqual(['first']);
    expect(started()).toBe(2);
    reloader.refresh();
    pending[1]!.resolve('second');
    await settled();
    pending[2]!.resolve('third');
    await settled();
    expect(landed).toEqual(['first', 'second', 'third']);
    expect(started()).toBe(3);
  });

  it('a refresh with nothing running loads at once', async () => {
    const { reloader, pending, landed, started } = loads();
    reloader.refresh();
    expect(started()).toBe(1);
    pending[0]!.resolve('only');
    await settled();
    expect(landed).toEqual(['only']);
  });

  it('restart supersedes: the older load\'s answer is dropped, whichever comes first, and a refresh waits for the new one', async () => {
    const { reloader, pending, landed, started } = loads();
    reloader.restart();
    reloader.restart(); // another page
    reloader.refresh();
    expect(started()).toBe(2);
    pending[1]!.resolve('new page');
    pending[0]!.resolve('old page');
    await settled();
    expect(landed).toEqual(['new page']);
    expect(started()).toBe(3); // the refresh asked for during the new page's load
  });

  it('a failed load is reported and the next refresh still runs', async () => {
    const { reloader, pending, landed, failed } = loads();
    reloader.restart();
    reloader.refresh();
    pending[0]!.reject(new Error('503 database unavailable'));
    await settled();
    expect(failed).toEqual(['503 database unavailable']);
    pending[1]!.resolve('back');
    await settled();
    expect(landed).toEqual(['back']);
  });
});
