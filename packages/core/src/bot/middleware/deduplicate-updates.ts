import type { MiddlewareFn } from 'grammy';
import type { BotContext } from '../context.js';

/** Atomically claims a key for `ttlMs`: true for exactly one caller (see `KvFactory.claim`). */
export type ClaimKey = (key: string, ttlMs: number) => Promise<boolean>;

/**
 * Drops an update whose update_id was seen before: a webhook retry (also one racing the
 * original), a re-delivery after a restart, or the same update reaching a second instance.
 *
 * The update_id is claimed atomically in kv (`claim`, kept for `ttlMs`) BEFORE the handlers
 * run: of any number of deliveries, on any number of instances sharing the kv backend, only
 * the one that wins the claim is handled (at most once: an update whose handler failed is not
 * run again; the error boundary already told the user). Concurrent copies inside this process
 * are also dropped without a kv round trip. If kv is unreachable the update is processed (a
 * possible duplicate beats a lost message) and a warning is logged.
 */
export function deduplicateUpdates(deps: { claim: ClaimKey; ttlMs: number }): MiddlewareFn<BotContext> {
  const inProcess = new Set<number>();
  return async (ctx, next) => {
    const id = ctx.update.update_id;
    if (inProcess.has(id)) {
      ctx.logger.debug({ updateId: id }, 'duplicate update dropped (already being handled here)');
      return;
    }
    inProcess.add(id);
    try {
      let claimed = true;
      try {
        claimed = await deps.claim(String(id), deps.ttlMs);
      } catch (error) {
        ctx.logger.warn(
          { err: error, updateId: id },
          'update de-duplication unavailable (kv error); processing anyway',
        );
      }
      if (!claimed) {
        ctx.logger.debug({ updateId: id }, 'duplicate update dropped (already claimed)');
        return;
      }
      await next();
    } finally {
      inProcess.delete(id);
    }
  };
}
