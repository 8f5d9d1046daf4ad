import type { RateWindows } from '@botloom/core';

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Keeps the app's Send API calls under a global rate (a sliding one-second window) and spaces
 * sends to one thread. The windows live in core's shared KV (`coreServices.rateWindows`), so
 * the limits hold across every instance of the app, not per process. Waiting happens before
 * a call, so nothing is sent and dropped. The thread slot is taken first: a send waiting for
 * its thread never holds a global slot, so one busy thread cannot starve the others.
 */
export class SendPacer {
  constructor(
    private readonly limits: () => { perSecond: number; perThreadIntervalMs: number },
    private readonly windows: RateWindows,
    private readonly clock: PacerClock = realClock,
  ) {}

  /** Resolves when a send to `thread` may go out. */
  async acquire(thread: string): Promise<void> {
    const { perSecond, perThreadIntervalMs } = this.limits();
    if (perThreadIntervalMs > 0) await this.take(`send:thread:${thread}`, 1, perThreadIntervalMs);
    await this.take('send:all', perSecond, 1000);
  }

  private async take(key: string, limit: number, windowMs: number): Promise<void> {
    for (;;) {
      const decision = await this.windows.hit(key, { limit, windowMs, now: this.clock.now() });
      if (decision.allowed) return;
      await this.clock.sleep(Math.max(1, decision.retryAfterMs));
    }
  }
}
