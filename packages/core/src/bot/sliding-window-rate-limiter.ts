import type { Keyv } from 'keyv';

export type RateLimitDecision =
  /** Within the limit: handle it. */
  | { allowed: true }
  /** Over the limit. `notify` is true for the first rejected update of this burst only. */
  | { allowed: false; notify: boolean; retryAfterMs: number };

interface WindowRecord {
  /** Times (ms) of accepted hits inside the window. */
  hits: number[];
  /** The user was told about the limit since the window was last full. */
  notified: boolean;
}

/**
 * Sliding-window log limiter: at most `limit` accepted hits per key in any `windowMs`.
 * Rejected hits are not recorded, so a user who keeps sending is served again as soon as the
 * oldest accepted hit leaves the window. State lives in kv (shared by instances); hits for
 * one key are serialized inside this process, while two instances updating the same key at
 * the same moment may both count from the same read (the limit is then slightly soft).
 */
export class SlidingWindowRateLimiter {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly kv: Keyv,
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  hit(key: string, now = Date.now()): Promise<RateLimitDecision> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const decision = previous.then(
      () => this.decide(key, now),
      () => this.decide(key, now),
    );
    this.queues.set(key, decision);
    void decision
      .finally(() => {
        if (this.queues.get(key) === decision) this.queues.delete(key);
      })
      .catch(() => undefined);
    return decision;
  }

  private async decide(key: string, now: number): Promise<RateLimitDecision> {
    const stored = (await this.kv.get(key)) as WindowRecord | undefined;
    const hits = (stored?.hits ?? []).filter((time) => time > now - this.windowMs);
    if (hits.length < this.limit) {
      hits.push(now);
      await this.kv.set(key, { hits, notified: false } satisfies WindowRecord, this.windowMs);
      return { allowed: true };
    }
    const notify = !stored?.notified;
    if (notify) await this.kv.set(key, { hits, notified: true } satisfies WindowRecord, this.windowMs);
    return { allowed: false, notify, retryAfterMs: hits[0]! + this.windowMs - now };
  }
}
