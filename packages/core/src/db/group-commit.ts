/**
 * Group commit: callers submit items one by one; the first runs at once, and items submitted
 * while a flush is in flight wait and go together in the next one (one statement, one round
 * trip). Nothing is delayed when the load is light, and under load many items share a round
 * trip. Each caller's promise settles with its own result once its flush finished, so a caller
 * that awaited `submit` knows its item was written (durability is unchanged).
 *
 * `keyOf` (optional): items with the same key never share a flush (a statement such as
 * `INSERT ... ON CONFLICT DO UPDATE` cannot touch one row twice); a repeated key waits for
 * the following flush, in submission order.
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve(result: R): void; reject(error: unknown): void }> = [];
  private flushing = false;

  constructor(
    /** Writes the items; returns one result per item, in order. */
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch?: number; keyOf?: (item: T) => string } = {},
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          const results = await this.flush(batch.map((entry) => entry.item));
          for (const [i, entry] of batch.entries()) entry.resolve(results[i]!);
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private take(): typeof this.queue {
    const max = this.options.maxBatch ?? 500;
    const keyOf = this.options.keyOf;
    if (!keyOf) return this.queue.splice(0, max);
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    const keys = new Set<string>();
    for (const entry of this.queue) {
      const key = keyOf(entry.item);
      if (batch.length < max && !keys.has(key)) {
        keys.add(key);
        batch.push(entry);
      } else {
        rest.push(entry);
      }
    }
    this.queue = rest;
    return batch;
  }
}
