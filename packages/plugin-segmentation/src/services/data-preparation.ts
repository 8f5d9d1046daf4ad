/**
 * Whether data is being prepared right now (the reference app seeds synthetic demo clients in
 * the background after it starts). While it is, "no segments yet" would mislead: the bot says
 * the data is on its way instead.
 */
export class DataPreparation {
  private pending = 0;

  get inProgress(): boolean {
    return this.pending > 0;
  }

  /** Marks data as being prepared until the returned function is called (once). */
  begin(): () => void {
    this.pending += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.pending -= 1;
    };
  }
}
