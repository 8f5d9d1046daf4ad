import type { KvFactory } from '../kv/kv-factory.js';
import { MemoryWindows, type WindowDecision } from '../kv/kv-window.js';

export type RateLimitDecision = WindowDecision;

/**
 * Where the per-user window lives (RATE_LIMIT_SCOPE):
 * - `shared`: in the KV backend (PostgreSQL, or Redis when KV_URL is Redis), one atomic
 *   statement per update, exact across every instance;
 * - `process`: in this process's memory, no I/O, exact only while ONE instance serves the bot.
 */
export type RateLimitScope = 'shared' | 'process';

/** Per-user sliding window: at most `limit` handled updates in any `windowMs`. */
export interface UserRateLimiter {
  readonly scope: RateLimitScope;
  hit(key: string, now?: number): Promise<RateLimitDecision>;
}

/** The KV namespace of the per-user windows (keys: the user id). */
export const RATE_LIMIT_NAMESPACE = 'core.ratelimit';
/** The per-user window: a sliding minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

export function createUserRateLimiter(options: {
  scope: RateLimitScope;
  /** Only `shared` needs it; without `hitWindow` (a partial KV in tests) the window is in-process. */
  kv?: Partial<Pick<KvFactory, 'hitWindow'>>;
  limit: number;
  windowMs?: number;
}): UserRateLimiter {
  const { limit } = options;
  const windowMs = options.windowMs ?? RATE_LIMIT_WINDOW_MS;
  const hitWindow = options.kv?.hitWindow?.bind(options.kv);
  if (options.scope === 'shared' && hitWindow) {
    return {
      scope: 'shared',
      hit: (key, now = Date.now()) => hitWindow(RATE_LIMIT_NAMESPACE, key, { limit, windowMs, now }),
    };
  }
  const windows = new MemoryWindows();
  return {
    scope: 'process',
    hit: async (key, now = Date.now()) => windows.hit(key, { limit, windowMs, now }),
  };
}
