import { describe, expect, it } from 'vitest';
import { sampleSnapshot } from '../testing/sample-snapshot.js';
import { MemoryOutbox } from './queue.js';

describe('MemoryOutbox', () => {
  it('drops repeating reports first, like the disk outbox', async () => {
    const box = new MemoryOutbox(2);
    const r = (id: string) => ({ type: 'report' as const, id, snapshot: sampleSnapshot() });
    await box.add(r('report-0001'));
    await box.add(r('report-0002'), { unchanged: true });
    expect(await box.add(r('report-0003'))).toEqual(['report-0002']);
    expect(await box.add(r('report-0004'), { unchanged: true })).toEqual(['report-0001']);
    expect(await box.ids()).toEqual(['report-0003', 'report-0004']);
  });
});
