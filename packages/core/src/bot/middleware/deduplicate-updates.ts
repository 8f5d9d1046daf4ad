import type { MiddlewareFn } from 'grammy';
import type { Keyv } from 'keyv';
import type { BotContext } from '../context.js';

/**
 * Drops an update whose update_id was seen before: a webhook retry, a re-delivery after a
 * restart, or the same update reaching a second instance. Seen ids live in kv for `ttlMs`.
 *
 * The id is recorded BEFORE the handlers run (at most once: an update whose handler failed is
 * not run again; the error boundary already told the user). An in-process set closes the
 * window between the kv read and write inside one instance; across instances keyv offers no
 * atomic "set if absent", so two instances receiving the same update within that window of a
 * few milliseconds could both run it. If kv is unreachable the update is processed (a possible
 * duplicate beats a lost message) and a warning is logged.
 */
export function deduplicateUpdates(deps: { kv: Keyv; ttlMs: number }): MiddlewareFn<BotContext> {
  const inProcess = new Set<number>();
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    if (inProcess.has(id)) {
      ctx.logger.info({ updateId: id }, 'duplicate update dropped (already being handled)');
      return;
    }
    inProcess.add(id);
    try {
      const key = String(id);
      let seen = false;
      try {
        seen = (await deps.kv.get(key)) !== undefined;
        if (!seen) await deps.kv.set(key, 1, deps.ttlMs);
      } catch (error) {
        ctx.logger.warn(
          { err: error, updateId: id },
          'update de-duplication unavailable (kv error); processing anyway',
        );
      }
      if (seen) {
        ctx.logger.info({ updateId: id }, 'duplicate update dropped');
        return;
      }
      await next();
    } finally {
      inProcess.delete(id);
    }
  };
}
