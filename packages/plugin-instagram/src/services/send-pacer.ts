export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Keeps this instance's Send API calls under a global rate (a sliding one-second window) and
 * spaces sends to one thread. Waiting happens before a call, so nothing is sent and dropped.
 */
export class SendPacer {
  private readonly recent: number[] = [];
  private readonly nextPerThread = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly limits: () => { perSecond: number; perThreadIntervalMs: number },
    private readonly clock: PacerClock = realClock,
  ) {}

  /** Resolves when a send to `thread` may go out; calls are served in order. */
  acquire(thread: string): Promise<void> {
    const turn = this.chain.then(() => this.wait(thread));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async wait(thread: string): Promise<void> {
    const { perSecond, perThreadIntervalMs } = this.limits();
    for (;;) {
      const now = this.clock.now();
      while (this.recent.length > 0 && this.recent[0]! <= now - 1000) this.recent.shift();
      const threadAt = this.nextPerThread.get(thread) ?? 0;
      const globalAt = this.recent.length >= perSecond ? this.recent[0]! + 1000 : 0;
      const at = Math.max(threadAt, globalAt);
      if (at <= now) {
        this.recent.push(now);
        this.nextPerThread.set(thread, now + perThreadIntervalMs);
        if (this.nextPerThread.size > 10_000) this.forgetOld(now);
        return;
      }
      await this.clock.sleep(at - now);
    }
  }

  private forgetOld(now: number) {
    for (const [thread, at] of this.nextPerThread) if (at <= now) this.nextPerThread.delete(thread);
  }
}
