/** Where a Reloader's loads land (useLoad's state setters). */
export interface ReloadSink<T> {
  started(): void;
  loaded(value: T): void;
  failed(err: unknown): void;
}

/**
 * One resource's loads, one at a time. A refresh asked for while a load runs is run once after
 * it, however many were asked, so every load lands. It used to supersede the load in flight:
 * with a busy fleet's events coming faster than the API answered, no load ever landed and the
 * page kept its first (or no) data. `restart()` (another page, other filters) supersedes: what
 * an older load returns is dropped.
 */
export class Reloader<T> {
  private generation = 0;
  private running = false;
  private again = false;

  constructor(private readonly load: () => Promise<T>, private readonly sink: ReloadSink<T>) {}

  /** Loads now; a load still running for the old inputs is dropped when it answers. */
  restart(): void {
    this.generation += 1;
    this.again = false;
    this.run();
  }

  /** Loads now, or once more after the load that is running. */
  refresh(): void {
    if (this.running) this.again = true;
    else this.run();
  }

  private run(): void {
    const mine = this.generation;
    this.running = true;
    this.sink.started();
    this.load().then(
      (value) => this.settle(mine, () => this.sink.loaded(value)),
      (err: unknown) => this.settle(mine, () => this.sink.failed(err)),
    );
  }

  private settle(mine: number, deliver: () => void): void {
    if (mine !== this.generation) return; // superseded by restart(), whose load owns `running`
    this.running = false;
    deliver();
    if (this.again) {
      this.again = false;
      this.run();
    }
  }
}
