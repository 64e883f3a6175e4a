import { eachInTurns } from '../turns.js';

/** What ReadBudget pauses: an agent's socket (AgentConnection: `pause()` stops reading its TCP socket, `resume()` reads again). */
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
  /** sockets read for having waited maxSocketPauseMs while the budget stayed paused (see `tick`) */
  starvedReads: number;
}

/**
 * Backpressure in bytes: counts the bytes of report messages read from agent sockets and not yet
 * answered (ack or error). Past `highBytes` every agent socket stops being read — TCP pushes back
 * and the agents' reports wait in their outboxes on disk — until the count falls to `lowBytes`.
 * A message already in flight when the sockets pause still counts, so the overshoot is at most
 * what the sockets had read at that moment. No pause of the budget lasts longer than `maxPauseMs`:
 * a paused socket reads no pings, and an agent closes a socket whose ping stays unanswered until
 * its next one (30 s); after such a forced resume the next report past the budget pauses them
 * again. One socket could stay paused over several pauses when ingest is slower than the resumes
 * (a resume cut short by the next pause reaches as few as `resumeChunk` sockets; the next starts
 * where it stopped): with 10,000 sockets and whole reports, longer than an agent waited for a pong,
 * and half a fleet reconnected at once (10,571 reconnects in one 20,000-Mac run; agents now take
 * the server's pings as a sign of life too). So `tick` also reads the sockets paused for
 * `maxSocketPauseMs`, oldest first, `starvedPerTick` a second, while no more than twice
 * `highBytes` are held; the next pause leaves each reading until it is `heard` from (a report, a
 * ping), and a report then pauses it again (`reported`). The held bytes stay under twice highBytes
 * plus one read of each socket read so in the last tick.
 *
 * Commands first: a socket `exempt` says owes the server a command's reply is not paused, at most
 * `maxExempt` of them per pause, so an admin's Fix is answered while reports wait. Sockets resume
 * `resumeChunk` at a time, one chunk per turn of the event loop: each resumed socket reads what
 * TCP held for it in the same turn (10,000 at once held the loop ~100 ms), and a resume cut short
 * by the next pause leaves the rest paused.
 */
export class ReadBudget<S extends Pausable = Pausable> {
  private held = 0;
  private pausedAt: number | null = null;
  /** bumped at every pause: a resume in progress stops when it sees a newer pause */
  private round = 0;
  /** where the next resume starts in the socket list */
  private cursor = 0;
  /** exempt sockets left reading in the current pause */
  private exempted = 0;
  private readonly maxExempt: number;
  /** when the budget paused each socket it holds paused, ms */
  private readonly pausedSince = new WeakMap<S, number>();
  /** sockets read for having waited too long, not heard from since: a pause leaves them reading */
  private readonly owed = new WeakSet<S>();
  readonly stats: ReadBudgetStats = { heldBytes: 0, maxHeldBytes: 0, pauses: 0, longestPauseMs: 0, starvedReads: 0 };

  /**
   * @param sockets every open agent socket, when they must all pause or resume
   * @param highBytes pause every socket past this many bytes held
   * @param lowBytes resume them at or below this many
   * @param maxPauseMs resume after this long whatever the count, ms (see `tick`)
   * @param opts.exempt sockets left reading during a pause (default none), at most `opts.maxExempt` (default 32)
   * @param opts.resumeChunk sockets resumed per turn of the event loop (default 1,000)
   * @param opts.maxSocketPauseMs a socket paused this long is read at the next `tick` that has room, ms; default: never
   * @param opts.starvedPerTick at most this many such sockets read per tick (default 250)
   */
  constructor(
    private readonly sockets: () => Iterable<S>,
    readonly highBytes: number,
    readonly lowBytes: number,
    readonly maxPauseMs: number,
    private readonly opts: { exempt?: (socket: S) => boolean; maxExempt?: number; resumeChunk?: number; maxSocketPauseMs?: number; starvedPerTick?: number } = {},
  ) {
    if (!(lowBytes < highBytes)) throw new RangeError(`lowBytes (${lowBytes}) must be below highBytes (${highBytes})`);
    this.maxExempt = opts.exempt ? opts.maxExempt ?? 32 : 0;
  }

  /** true from a pause to the next resume (which may take several turns: see resumeChunk) */
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
      this.round += 1;
      this.stats.pauses += 1;
      const { exempt } = this.opts;
      this.exempted = 0;
      for (const s of this.sockets()) {
        // An exempt socket a cut-short resume had not reached yet is still paused: read it now.
        if (this.exempted < this.maxExempt && exempt?.(s)) {
          this.exempted += 1;
          this.resumeOne(s);
        } else if (!this.owed.has(s)) this.pauseOne(s, now);
      }
    }
  }

  /** Counts a message of `bytes` answered; resumes every socket when the count is down to lowBytes. */
  release(bytes: number, now = Date.now()): void {
    this.held -= bytes;
    this.stats.heldBytes = this.held;
    if (this.held <= this.lowBytes) this.resume(now);
  }

  /**
   * A socket that has just become exempt (sent a single command) is read during this pause, if
   * fewer than maxExempt already are; otherwise it waits like the others.
   */
  exempt(socket: S): void {
    if (this.pausedAt === null || this.exempted >= this.maxExempt) return;
    this.exempted += 1;
    this.resumeOne(socket);
  }

  /** A socket opened, or no longer exempt, while the others are paused is paused too. */
  adopt(socket: S, now = Date.now()): void {
    if (this.pausedAt !== null) this.pauseOne(socket, now);
  }

  /**
   * `socket` sent a report while the others are paused: it is paused too, unless it is exempt (it
   * owes a command's reply, which may come right behind this report) and no more than twice
   * highBytes are held.
   */
  reported(socket: S, now = Date.now()): void {
    if (this.pausedAt === null) return;
    if (this.opts.exempt?.(socket) && this.withinTwiceBudget) return;
    this.pauseOne(socket, now);
  }

  /** `socket` delivered something (a message, a ping, a pong): a read it was owed for waiting too long is done. */
  heard(socket: S): void {
    this.owed.delete(socket);
  }

  /**
   * Called every second or so: resumes every socket paused for maxPauseMs or longer; then, unless
   * more than twice highBytes are held, reads the sockets paused for maxSocketPauseMs or longer,
   * oldest first, at most starvedPerTick of them.
   */
  tick(now = Date.now()): void {
    if (this.pausedAt !== null && now - this.pausedAt >= this.maxPauseMs) this.resume(now);
    const bound = this.opts.maxSocketPauseMs;
    // Between pauses no socket waits (a resume reaches them all within a few turns): no scan of
    // every socket each second. What a starved read brings is held too: none past twice the budget.
    if (bound === undefined || this.pausedAt === null || !this.withinTwiceBudget) return;
    const starved: Array<[number, S]> = [];
    for (const s of this.sockets()) {
      const since = this.pausedSince.get(s);
      if (since !== undefined && now - since >= bound) starved.push([since, s]);
    }
    starved.sort((a, b) => a[0] - b[0]);
    for (const [, s] of starved.slice(0, this.opts.starvedPerTick ?? 250)) {
      this.owed.add(s);
      this.resumeOne(s);
      this.stats.starvedReads += 1;
    }
  }

  /** Reads beyond the budget (exempt sockets' reports, starved sockets) stop at twice highBytes held. */
  private get withinTwiceBudget(): boolean {
    return this.held <= 2 * this.highBytes;
  }

  private pauseOne(s: S, now: number): void {
    if (!this.pausedSince.has(s)) this.pausedSince.set(s, now);
    s.pause();
  }

  private resumeOne(s: S): void {
    this.pausedSince.delete(s);
    s.resume();
  }

  private resume(now: number): void {
    if (this.pausedAt === null) return;
    this.stats.longestPauseMs = Math.max(this.stats.longestPauseMs, now - this.pausedAt);
    this.pausedAt = null;
    const round = this.round;
    const all = [...this.sockets()];
    // Each resume starts where the last one stopped: a resume cut short never starves the same sockets.
    const first = all.length > 0 ? this.cursor % all.length : 0;
    const order = [...all.slice(first), ...all.slice(0, first)];
    this.cursor = first;
    // Paused again before the end: the rest stay paused.
    eachInTurns(order, this.opts.resumeChunk ?? 1_000, (s) => {
      this.resumeOne(s);
      this.cursor += 1;
    }, () => this.round === round);
  }
}
