/** Longest pause between two resends of the outbox on an open socket, ms (unless the server asks for longer). */
export const DEFAULT_MAX_RESEND_MS = 15_000;

/**
 * Pause before resend number `attempt` (0 for the first since the last ack), ms: at least the
 * server's `retryAfterMs`, at most `retryAfterMs * 2^(attempt+1)` capped at `maxMs` (never below
 * `retryAfterMs`), uniformly at random in between (`random` in [0, 1)). Exponential backoff with
 * jitter, so a fleet told "5 s" at once does not come back at once, and a long outage costs one
 * resend every `maxMs` at most.
 */
export function resendDelayMs(retryAfterMs: number, attempt: number, maxMs: number, random = Math.random()): number {
  const upper = Math.max(retryAfterMs, Math.min(maxMs, retryAfterMs * 2 ** (attempt + 1)));
  return retryAfterMs + random * (upper - retryAfterMs);
}

/**
 * Calls `resend` when the server said it could not store a report and when to try again (`error`
 * with `retryAfterSeconds`): one timer for all such errors (one resend answers for every waiting
 * report), backed off by resendDelayMs until a report is acked.
 */
export class ResendTimer {
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;

  /** `resend`: sends again (the daemon: the oldest waiting report); its failure is the caller's to log. */
  constructor(private readonly resend: () => Promise<void>, private readonly maxMs = DEFAULT_MAX_RESEND_MS) {}

  /** Schedules a resend in resendDelayMs(retryAfterSeconds): none when one is already scheduled. Returns the pause, ms, or null. */
  schedule(retryAfterSeconds: number): number | null {
    if (this.timer) return null;
    const ms = resendDelayMs(retryAfterSeconds * 1000, this.attempt, this.maxMs);
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.resend();
    }, ms);
    this.timer.unref();
    return ms;
  }

  /** A report was stored: the next outage starts the backoff again. */
  reset(): void {
    this.attempt = 0;
  }

  /** Cancels a scheduled resend (the socket closed: the reconnect resends; or the agent stops). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
