import { describe, expect, it } from 'vitest';
import { ResendTimer, resendDelayMs } from './resend-timer.js';

describe('resendDelayMs', () => {
  it('waits at least what the server asked, doubles the spread per attempt, and caps it (unless the server asks for longer)', () => {
    // random 0 and almost 1 bound each attempt's window.
    const windows = [0, 1, 2, 3, 10].map((n) => [resendDelayMs(5_000, n, 15_000, 0), resendDelayMs(5_000, n, 15_000, 0.999_999)].map(Math.round));
    expect(windows).toEqual([[5_000, 10_000], [5_000, 15_000], [5_000, 15_000], [5_000, 15_000], [5_000, 15_000]]);
    expect(resendDelayMs(60_000, 4, 15_000, 0.5)).toBe(60_000);
  });
});

describe('ResendTimer', () => {
  it('schedules one resend for many errors, backs off until reset', async () => {
    let resends = 0;
    const timer = new ResendTimer(async () => {
      resends += 1;
    }, 40);
    const first = timer.schedule(0.01);
    expect(first).not.toBeNull();
    expect(timer.schedule(0.01)).toBeNull();
    await new Promise((r) => setTimeout(r, first! + 30));
    expect(resends).toBe(1);
    // Second attempt: spread widened, within the 40 ms cap.
    const second = timer.schedule(0.01)!;
    expect(second).toBeGreaterThanOrEqual(10);
    expect(second).toBeLessThanOrEqual(40);
    timer.cancel();
    timer.reset();
    expect(timer.schedule(0.01)!).toBeLessThanOrEqual(20);
    timer.cancel();
  });
});
