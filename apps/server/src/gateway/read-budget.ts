/** What ReadBudget pauses: ws's WebSocket (`pause()` stops reading its TCP socket, `resume()` reads again). */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Counters for operators and the benchmark. */
export interface ReadBudgetStats {
  /** bytes of report messages read and not yet answered, now */
  heldBytes: number;
  /** the most ever held */
  maxHeldBytes: number;
  /** times every socket was paused, and the longest pause, ms */
  pauses: number;
  longestPauseMs: number;
}

/**
 * Backpressure in bytes: counts the bytes of report messages read from agent sockets and not yet
 * answered (ack or error). Past `highBytes` every agent socket stops being read — TCP pushes back
 * and the agents' reports wait in their outboxes on disk — until the count falls to `lowBytes`.
 * A message already in flight when the sockets pause still counts, so the overshoot is at most
 * what the sockets had read at that moment. No pause lasts longer than `maxPauseMs`: a paused
 * socket reads no pings, and an agent closes a socket whose ping stays unanswered until its next
 * one (30 s); after such a forced resume the next report past the budget pauses them again.
 * Pausing stops command acks and results too, until the held reports are answered: the pauses
 * are as short as an ingest batch (see READ_HIGH_BYTES in plugin.ts for the size).
 */
export class ReadBudget {
  private held = 0;
  private pausedAt: number | null = null;
  readonly stats: ReadBudgetStats = { heldBytes: 0, maxHeldBytes: 0, pauses: 0, longestPauseMs: 0 };

  /**
   * @param sockets every open agent socket, when they must all pause or resume
   * @param highBytes pause every socket past this many bytes held
   * @param lowBytes resume them at or below this many
   * @param maxPauseMs resume after this long whatever the count, ms (see `tick`)
   */
  constructor(
    private readonly sockets: () => Iterable<Pausable>,
    readonly highBytes: number,
    readonly lowBytes: number,
    readonly maxPauseMs: number,
  ) {
    if (!(lowBytes < highBytes)) throw new RangeError(`lowBytes (${lowBytes}) must be below highBytes (${highBytes})`);
  }

  /** true while every socket is paused */
  get paused(): boolean {
    return this.pausedAt !== null;
  }

  /** Counts a report message of `bytes` just read; pauses every socket when that goes past highBytes. */
  take(bytes: number, now = Date.now()): void {
    this.held += bytes;
    this.stats.heldBytes = this.held;
    if (this.held > this.stats.maxHeldBytes) this.stats.maxHeldBytes = this.held;
    if (this.held > this.highBytes && this.pausedAt === null) {
      this.pausedAt = now;
      this.stats.pauses += 1;
      for (const s of this.sockets()) s.pause();
    }
  }

  /** Counts a message of `bytes` answered; resumes every socket when the count is down to lowBytes. */
  release(bytes: number, now = Date.now()): void {
    this.held -= bytes;
    this.stats.heldBytes = this.held;
    if (this.held <= this.lowBytes) this.resume(now);
  }

  /** A socket opened while the others are paused is paused too. */
  adopt(socket: Pausable): void {
    if (this.pausedAt !== null) socket.pause();
  }

  /** Called every second or so: resumes every socket paused for maxPauseMs or longer. */
  tick(now = Date.now()): void {
    if (this.pausedAt !== null && now - this.pausedAt >= this.maxPauseMs) this.resume(now);
  }

  private resume(now: number): void {
    if (this.pausedAt === null) return;
    this.stats.longestPauseMs = Math.max(this.stats.longestPauseMs, now - this.pausedAt);
    this.pausedAt = null;
    for (const s of this.sockets()) s.resume();
  }
}
