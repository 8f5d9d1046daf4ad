/**
 * Limits failed sign-ins: at most `maxPerAccount` failures per client address and username,
 * and `maxPerAddress` per address, within `windowMs`. Kept in memory: with several instances
 * behind a balancer each counts its own (the limit then multiplies by the instance count).
 */
export interface LoginThrottleOptions {
  windowMs?: number;
  maxPerAccount?: number;
  maxPerAddress?: number;
  now?: () => number;
}

const MAX_KEYS = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly windowMs: number;
  private readonly maxPerAccount: number;
  private readonly maxPerAddress: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxPerAccount = options.maxPerAccount ?? 5;
    this.maxPerAddress = options.maxPerAddress ?? 20;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until the next try is allowed, or 0 when it is allowed now. */
  retryAfter(address: string, username: string): number {
    const now = this.now();
    const wait = (key: string, max: number) => {
      const times = this.recent(key, now);
      return times.length >= max ? Math.ceil((times[0]! + this.windowMs - now) / 1000) : 0;
    };
    return Math.max(
      wait(this.accountKey(address, username), this.maxPerAccount),
      wait(`ip:${address}`, this.maxPerAddress),
    );
  }

  recordFailure(address: string, username: string): void {
    const now = this.now();
    for (const key of [this.accountKey(address, username), `ip:${address}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.set(key, times);
    }
    if (this.failures.size > MAX_KEYS) this.prune(now);
  }

  recordSuccess(address: string, username: string): void {
    this.failures.delete(this.accountKey(address, username));
  }

  private accountKey(address: string, username: string): string {
    return `acct:${address}:${username.trim().toLowerCase().slice(0, 64)}`;
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
  }

  private prune(now: number): void {
    for (const [key, times] of this.failures) {
      const kept = times.filter((t) => now - t < this.windowMs);
      if (kept.length) this.failures.set(key, kept);
      else this.failures.delete(key);
    }
  }
}
