import type { Logger } from 'pino';
import { type CacheInvalidation, createCacheInvalidation, defineInvalidation } from './cache-invalidation.js';
import type { Signals } from './types.js';

/**
 * A set of ids (chats a plugin follows...) held in memory and kept in step across instances, so
 * a handler can tell "not mine" without a database read per update.
 */
export interface SharedIdSet {
  /** True before the first load (nothing is dropped then), else whether `id` is in the set. */
  has(id: number): boolean;
  /** Adds `id` here at once and tells the other instances to reload (call after the commit). */
  add(id: number | null | undefined): Promise<void>;
  /** Loads the set and starts following the other instances' additions. */
  start(): Promise<void>;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `load` reads the whole set from the database. An addition on one instance is announced on the
 * signal channel `name` (the others reload); a missed signal is repaired by the reload every
 * `reloadEveryMs` (default a minute), which also follows removals. Without signals only the
 * periodic reload follows other instances.
 */
export function createSharedIdSet(options: {
  name: string;
  load: () => Promise<Iterable<number>>;
  signals?: Signals;
  reloadEveryMs?: number;
  logger?: Logger;
}): SharedIdSet {
  const channel = defineInvalidation(options.name);
  const every = options.reloadEveryMs ?? 60_000;
  let ids: Set<number> | null = null;
  // Added since the last reload began: a reload running meanwhile keeps them.
  const pendingAdds = new Set<number>();
  let invalidation: CacheInvalidation | undefined;
  let timer: NodeJS.Timeout | undefined;

  const reload = async () => {
    pendingAdds.clear();
    const loaded = new Set(await options.load());
    for (const id of pendingAdds) loaded.add(id);
    ids = loaded;
  };

  return {
    has: (id) => ids === null || ids.has(id),
    async add(id) {
      if (id === null || id === undefined || ids?.has(id)) return;
      ids?.add(id);
      pendingAdds.add(id);
      await invalidation?.invalidate([String(id)]);
    },
    reload,
    async start() {
      await reload();
      if (invalidation || timer) return;
      if (options.signals) {
        invalidation = await createCacheInvalidation({
          signals: options.signals,
          channel,
          reload,
          reloadEveryMs: every,
          logger: options.logger,
        });
        return;
      }
      timer = setInterval(() => {
        reload().catch((error) => options.logger?.warn({ err: error, set: options.name }, 'reload failed'));
      }, every);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await invalidation?.close();
      invalidation = undefined;
    },
  };
}
