/** Counters for operators and the benchmark (GET /api/v1/agent/ingest-stats). */
export interface SliceStats {
  /** jobs run, and turns of the event loop they took */
  slicedJobs: number;
  slices: number;
  /** the most jobs ever waiting at once */
  maxQueuedJobs: number;
}

/**
 * Runs synchronous jobs a slice at a time: each turn of the event loop runs the queued jobs, in
 * the order given, for at most `sliceMs`, then yields (setImmediate) before the next slice, so
 * I/O and timers get their turn in between. What it is for: reading 10,000 reports that arrive
 * in the same second (parse and validate, ~0.1–1 ms each) in one turn held the loop for seconds,
 * and an admin's command request, which needs a few turns (token check, insert, send), waited
 * behind each of them. A job's promise settles in its slice, so what the caller does next runs
 * right after that slice, before the next one (and adds to that turn: keep it small).
 */
export class SliceQueue {
  private jobs: Array<(() => void) | undefined> = [];
  private head = 0;
  private scheduled = false;
  readonly stats: SliceStats = { slicedJobs: 0, slices: 0, maxQueuedJobs: 0 };

  /**
   * @param sliceMs how long one slice may run before yielding, ms (a job is never cut: a slice runs at least one)
   * @param now the clock slices are timed with, ms
   */
  constructor(private readonly sliceMs: number, private readonly now: () => number = () => performance.now()) {}

  /** Queues `job`; resolves with its result, or rejects with what it threw, once it has run. */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err);
        }
      });
      this.stats.maxQueuedJobs = Math.max(this.stats.maxQueuedJobs, this.jobs.length - this.head);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    // A job that queued another scheduled this slice again, and the slice before ran both.
    if (this.head >= this.jobs.length) return;
    this.stats.slices += 1;
    const end = this.now() + this.sliceMs;
    do {
      const job = this.jobs[this.head]!;
      this.jobs[this.head++] = undefined; // not kept by the queue once it has run
      job();
      this.stats.slicedJobs += 1;
    } while (this.head < this.jobs.length && this.now() < end);
    // Never empty under a steady flow: drop the run part once it is most of the array.
    if (this.head * 2 >= this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    if (this.jobs.length > 0) this.schedule();
  };
}
