import type { Logger } from 'pino';
import { z } from 'zod';
import { defineSignal, type SignalChannel, type Signals } from './types.js';

const KEY = z.string().min(1).max(200);
/** `keys` absent = everything changed. */
const invalidationSchema = z.object({ keys: z.array(KEY).max(30).optional() });
export type InvalidationPayload = z.infer<typeof invalidationSchema>;

/** The channel of one cache (`sales.scripts`, `core.runtime-settings`). */
export function defineInvalidation(name: string): SignalChannel<InvalidationPayload> {
  return defineSignal(name, invalidationSchema);
}

export interface CacheInvalidation {
  /**
   * Tells every OTHER instance that `keys` (or, without keys, everything) changed. Call it
   * after the change is committed, once this instance updated its own copy. Never throws: a
   * lost signal is repaired by the other instances' `onGap` and periodic reloads.
   */
  invalidate(keys?: readonly string[]): Promise<void>;
  /** Stops listening and the periodic reload. */
  close(): Promise<void>;
}

/**
 * Keeps an in-process cache of database state (runtime settings, script versions...) in step
 * across instances:
 * - a write on one instance calls `invalidate(keys)`; every other instance's `reload(keys)`
 *   re-reads those keys from the database;
 * - signals are at most once, so `reload(null)` (everything) also runs after the signal
 *   connection was lost and restored, and every `reloadEveryMs` when given: a missed signal
 *   leaves a cache stale for at most that long.
 * More than 30 keys at once are sent as "everything" (payloads stay small).
 */
export async function createCacheInvalidation(options: {
  signals: Signals;
  channel: SignalChannel<InvalidationPayload>;
  /** Re-reads `keys` from the database, or everything when null. */
  reload: (keys: string[] | null) => void | Promise<void>;
  /** Periodic full reload, the repair for a missed signal (default: none). */
  reloadEveryMs?: number;
  logger?: Logger;
}): Promise<CacheInvalidation> {
  const { signals, channel, logger } = options;
  const reload = async (keys: string[] | null) => {
    try {
      await options.reload(keys);
    } catch (error) {
      logger?.warn({ err: error, channel: channel.name }, 'cache reload failed; the next reload retries');
    }
  };
  const unsubscribe = await signals.subscribe(
    channel,
    (payload, meta) => {
      if (meta.fromThisInstance) return;
      return reload(payload.keys ?? null);
    },
    { onGap: () => void reload(null) },
  );
  const timer =
    options.reloadEveryMs && options.reloadEveryMs > 0
      ? setInterval(() => void reload(null), options.reloadEveryMs)
      : undefined;
  timer?.unref();
  return {
    async invalidate(keys) {
      const list =
        keys && keys.length <= 30 && keys.every((k) => KEY.safeParse(k).success) ? [...keys] : undefined;
      try {
        await signals.publish(channel, keys === undefined || list === undefined ? {} : { keys: list });
      } catch (error) {
        logger?.warn({ err: error, channel: channel.name }, 'could not send a cache invalidation');
      }
    },
    async close() {
      if (timer) clearInterval(timer);
      await unsubscribe();
    },
  };
}
