/**
 * Group commit: items submitted while a flush is in flight wait and go together in the next one,
 * so under load one statement stores hundreds of items and a lone item is not delayed at all
 * (no timer). `flush` gets the items in submission order and returns one result per item, in the
 * same order; when it throws, the items are flushed one by one, and only those that fail alone
 * are rejected, each with its own error.
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  private inFlightItems = 0;

  /**
   * @param flush writes the items (at most `maxBatch`) and returns one result per item
   * @param maxBatch most items per flush
   * @param concurrency flushes in flight at once (each typically holds one database connection)
   */
  constructor(private readonly flush: (items: T[]) => Promise<R[]>, private readonly maxBatch = 1000, private readonly concurrency = 1) {}

  /** Items waiting or in flight. */
  get backlog(): number {
    return this.queue.length + this.inFlightItems;
  }

  /** Resolves with the item's result after the flush that held it committed. */
  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  /**
   * Flushes `batch`; when a flush of several items fails, each item is flushed again alone, so
   * one bad item fails only itself (its own error), not the items that shared its statement.
   */
  private async write(batch: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }>): Promise<void> {
    try {
      const results = await this.flush(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const b of batch) {
        try {
          b.resolve((await this.flush([b.item]))[0]!);
        } catch (alone) {
          b.reject(alone);
        }
      }
    }
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      this.inFlightItems += batch.length;
      void this.write(batch)
        .finally(() => {
          this.inFlight -= 1;
          this.inFlightItems -= batch.length;
          this.pump();
        });
    }
  }
}
