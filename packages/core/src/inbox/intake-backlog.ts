/**
 * Bounds the updates this instance has accepted but not yet handled (webhook backpressure).
 *
 * Counted in memory (stored here minus finished here) so the hot path costs no query. Another
 * instance may handle what this one stored, so the count can overstate the backlog: when it
 * reaches the limit, it is corrected down to the open updates in the database before refusing.
 */
export class IntakeBacklog {
  private pending = 0;

  constructor(
    private readonly limit: number,
    private readonly countOpen: () => Promise<number>,
  ) {}

  stored(count: number): void {
    this.pending += count;
  }

  finished(): void {
    if (this.pending > 0) this.pending--;
  }

  async isFull(): Promise<boolean> {
    if (this.pending < this.limit) return false;
    this.pending = Math.min(this.pending, await this.countOpen());
    return this.pending >= this.limit;
  }
}
