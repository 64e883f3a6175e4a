import { describe, expect, it } from 'vitest';
import { EnrollError } from '../transport/enroll.js';
import { enrollPause, SECRET_REFUSED_PAUSE_MS } from './enroll-pause.js';

const refused = (status: number | null, retryAfterMs: number | null = null) => new EnrollError(`enrollment refused: HTTP ${status}`, status, retryAfterMs);

describe('enrollPause', () => {
  it('a refused secret (401, 403) pauses an hour, ±25% jitter, and says why and how to retry sooner', () => {
    for (const status of [401, 403]) {
      expect(enrollPause(refused(status), undefined, () => 0)?.ms).toBe(45 * 60_000);
      expect(enrollPause(refused(status), undefined, () => 0.5)?.ms).toBe(SECRET_REFUSED_PAUSE_MS);
      expect(enrollPause(refused(status), undefined, () => 0.999_999)?.ms).toBeLessThanOrEqual(75 * 60_000);
      const pause = enrollPause(refused(status), undefined, () => 0.5)!;
      expect(pause.reason).toBe(`the server refused the enrollment secret (HTTP ${status}): check the secret given to the agent. Next enrollment attempt in 60 min, not sooner: `
        + 'repeated wrong secrets would get this network address blocked for every Mac behind it. Restart the agent to try again at once.');
    }
  });

  it('429: never sooner than Retry-After, at most 10% (60 s) later; 10 min without one; a day at most', () => {
    expect(enrollPause(refused(429, 120_000), undefined, () => 0)?.ms).toBe(120_000);
    expect(enrollPause(refused(429, 120_000), undefined, () => 0.999_999)?.ms).toBe(132_000);
    expect(enrollPause(refused(429, 600_000), undefined, () => 0.999_999)?.ms).toBe(660_000);
    expect(enrollPause(refused(429, 3_600_000), undefined, () => 0.999_999)?.ms).toBe(3_660_000);
    expect(enrollPause(refused(429), undefined, () => 0)?.ms).toBe(600_000);
    expect(enrollPause(refused(429, 365 * 86_400_000), undefined, () => 0)?.ms).toBe(86_400_000);
    expect(enrollPause(refused(429, 120_000), undefined, () => 0)?.reason)
      .toBe('the server is refusing enrollments from this network address for now (HTTP 429: too many wrong secrets from it; Retry-After 120 s). Next enrollment attempt in 2 min.');
    expect(enrollPause(refused(429), undefined, () => 0)?.reason).toContain('it sent no Retry-After');
  });

  it('no answer, a server error, a malformed answer or another error: null (the connection\'s ordinary backoff)', () => {
    for (const e of [refused(null), refused(500), refused(502), refused(200), refused(404), new Error('ECONNREFUSED'), 'text']) expect(enrollPause(e)).toBeNull();
  });
});
