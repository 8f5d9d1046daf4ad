import type { MiddlewareFn } from 'grammy';
import type { BotI18n } from '../../i18n/create-i18n.js';
import type { BotContext } from '../context.js';
import type { RateLimitDecision, UserRateLimiter } from '../user-rate-limiter.js';

/**
 * Per-user limit on updates (messages, button presses...). Over the limit the user gets ONE
 * localized notice, then further updates are dropped silently until the window frees up.
 * Updates without a sender (channel posts) are not limited. When the store is unreachable the update
 * passes (fail open) and a warning is logged.
 */
export function rateLimitUsers(deps: {
  limiter: UserRateLimiter;
  i18n: BotI18n;
  /** The decision made when the update inbox stored the update, if it made one (the hit is counted already). */
  decided?: () => RateLimitDecision | undefined;
}): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    if (userId === undefined) return next();
    let decision: RateLimitDecision;
    try {
      decision = deps.decided?.() ?? (await deps.limiter.hit(String(userId)));
    } catch (error) {
      ctx.logger.warn(
        { err: error, userId },
        'rate limiter unavailable (kv error); letting the update through',
      );
      return next();
    }
    if (decision.allowed) return next();
    ctx.logger.info(
      { userId, notify: decision.notify, retryAfterMs: decision.retryAfterMs },
      'update rate-limited',
    );
    if (!decision.notify) return;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    if (ctx.chatId !== undefined) {
      const locale = deps.i18n.negotiateLocale(ctx);
      await ctx.reply(deps.i18n.translator.t(locale, 'core-rate-limited'));
    }
  };
}
