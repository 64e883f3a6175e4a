/** An item waiting in a GroupCommit, and how to answer whoever submitted it. */
export interface Waiting<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface GroupCommitOptions {
  /** most items per write (default 1000) */
  maxBatch?: number;
  /** writes in flight at once (default 1; each typically holds one database connection) */
  concurrency?: number;
}

/**
 * Group commit, the one batching framework of the server's background writes (command replies,
 * reports, online state): items submitted while `concurrency` writes are in flight wait and go
 * together in the next one, so under load one statement stores hundreds of items and a lone item
 * is not delayed at all (no timer). `write` gets the waiting items in submission order and must
 * settle every one (resolve or reject), when it likes: a report batch answers its unchanged
 * reports before its changed ones are stored. With concurrency 1, writes commit in submission
 * order. A `write` that throws (even before returning its promise) rejects every item it left
 * unsettled with that error; one that ends without settling an item rejects it, so nothing waits
 * forever.
 */
export class GroupCommit<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;
  private inFlightItems = 0;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(private readonly write: (batch: Array<Waiting<T, R>>) => Promise<void>, opts: GroupCommitOptions = {}) {
    this.maxBatch = opts.maxBatch ?? 1000;
    this.concurrency = opts.concurrency ?? 1;
  }

  /** Items waiting or in flight. */
  get backlog(): number {
    return this.queue.length + this.inFlightItems;
  }

  /** Resolves with what the write that held the item gave it. */
  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /** `write(batch)`, started now; one that throws before returning its promise fails its batch, not the queue. */
  private started(batch: Array<Waiting<T, R>>): Promise<void> {
    try {
      return this.write(batch);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.inFlightItems += batch.length;
      // A settled promise ignores a later reject: only the items `write` left unsettled get the error.
      void this.started(batch)
        .then(
          () => {
            const forgotten = new Error('group commit: the write ended without answering this item'); // one per batch: cheap
            for (const w of batch) w.reject(forgotten);
          },
          (err: unknown) => { for (const w of batch) w.reject(err); },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.inFlightItems -= batch.length;
          this.pump();
        });
    }
  }
}

/**
 * A GroupCommit `write` from `store`, which writes several items in one statement or transaction
 * and returns one result per item, in order. When it throws for several items, each is stored
 * again alone (`alone`, by default `store` of that item), so one bad item fails only itself, with
 * its own error, and not the items that shared its statement.
 */
export function storeEachAloneOnFailure<T, R>(
  store: (items: T[]) => Promise<R[]>,
  alone: (item: T) => Promise<R> = async (item) => (await store([item]))[0]!,
): (batch: Array<Waiting<T, R>>) => Promise<void> {
  return async (batch) => {
    let results: R[];
    try {
      results = await store(batch.map((w) => w.item));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const w of batch) {
        try {
          w.resolve(await alone(w.item));
        } catch (own) {
          w.reject(own);
        }
      }
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  };
}
