import { GrammyError, type MiddlewareFn } from 'grammy';
import type { Logger } from 'pino';
import { pooledRandomBytes } from '../../crypto/random-pool.js';
import type { ErrorReporter } from '../../errors/error-reporter.js';
import { stringsOf } from '../../errors/scrub-report.js';
import type { Metrics } from '../../http/metrics.js';
import type { BotI18n } from '../../i18n/create-i18n.js';
import type { WindowDecision } from '../../kv/kv-window.js';
import type { BotContext } from '../context.js';
import { setLoggerSlot } from '../lazy-logger.js';
import type { AttemptSends } from '../send-ledger.js';
import { updateType } from '../update-validation.js';

/** Short enough to read over the phone, long enough to find the log lines of one update. */
export function newCorrelationId(): string {
  return pooledRandomBytes(4).toString('hex');
}

const errorOrigins = new WeakMap<object, string>();

/** One attempt at an update from the update inbox, shared with the runtime that runs it. */
export interface Delivery {
  /** No retry follows: a failure must be told to the user now. */
  final: boolean;
  /** Something was sent to Telegram for this update (a retry could repeat it). */
  sent: boolean;
  failure?: { error: unknown };
  /** The send ledger of this attempt (absent when the caller keeps none). */
  sends?: AttemptSends;
  /** The per-user rate limit, decided when the inbox stored the update (the limiter is not asked again). */
  rate?: WindowDecision;
  /** The chat's session as read with the update's lease (served once instead of a KV read). */
  session?: { key: string; value: string | null; used?: boolean };
  /** The session's new value (keyv's serialized entry), written with the update's done mark. */
  sessionWrite?: { key: string; value: string };
}

/** Remembers which plugin's handler threw, for the log line of the error boundary. */
export function markErrorOrigin(error: unknown, pluginId: string): void {
  if (typeof error === 'object' && error !== null && !errorOrigins.has(error))
    errorOrigins.set(error, pluginId);
}

/**
 * Outermost stage: gives the update a correlation id and a logger carrying it, counts it, and
 * turns any error below into one log line with the details plus a short localized message
 * with the same id for the user. Failing to deliver that message is logged, never rethrown.
 */
export function errorBoundary(deps: {
  logger: Logger;
  i18n: BotI18n;
  metrics: Metrics;
  /** The inbox attempt being handled, if any (the direct path has none). */
  delivery?: () => Delivery | undefined;
  /** Error tracking (Sentry); the update's strings are cut out of the report. */
  errorReporter?: ErrorReporter;
}): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const correlationId = newCorrelationId();
    ctx.correlationId = correlationId;
    setLoggerSlot(ctx, () => deps.logger.child({ correlationId }));
    const type = updateType(ctx.update);
    deps.metrics.updates.inc({ type });
    try {
      await next();
    } catch (error) {
      if (isExpiredCallbackQuery(error)) {
        // Telegram refuses answers to old or unknown callback queries (a button pressed long
        // ago, a forged query): nothing failed on our side and the user can see no answer.
        deps.logger.warn(
          { correlationId, updateId: ctx.update.update_id, description: (error as GrammyError).description },
          'callback query could not be answered: it expired or is unknown',
        );
        return;
      }
      const delivery = deps.delivery?.();
      if (delivery) delivery.failure = { error };
      if (delivery && !delivery.final && !delivery.sent) {
        // Nothing reached the user yet: the inbox retries it, and only the last attempt tells them.
        deps.logger.warn(
          { err: error, correlationId, updateId: ctx.update.update_id, updateType: type },
          'update handler failed; the update will be retried',
        );
        return;
      }
      // Nothing below may throw: a failure here would leave the user without any answer.
      try {
        const origin = typeof error === 'object' && error !== null ? errorOrigins.get(error) : undefined;
        deps.logger.error(
          {
            err: error,
            correlationId,
            plugin: origin,
            updateId: ctx.update.update_id,
            updateType: type,
            chatId: ctx.chatId,
            userId: ctx.from?.id,
          },
          'update handler failed',
        );
      } catch {
        deps.logger.error({ correlationId, updateType: type }, 'update handler failed');
      }
      if (deps.errorReporter?.enabled) {
        const origin = typeof error === 'object' && error !== null ? errorOrigins.get(error) : undefined;
        deps.errorReporter.report(error, {
          source: 'update',
          plugin: origin,
          correlationId,
          updateType: type,
          sensitive: stringsOf(ctx.update),
        });
      }
      await tellUserAboutError(ctx, correlationId, deps);
    }
  };
}

function isExpiredCallbackQuery(error: unknown): boolean {
  return error instanceof GrammyError && error.method === 'answerCallbackQuery' && error.error_code === 400;
}

/** Used when translation itself is broken: both languages, as the user's locale is unknown. */
export function fallbackErrorText(correlationId: string): string {
  return (
    `Sorry, something went wrong on our side. Please try again in a moment. Error ID: ${correlationId}\n` +
    `Извините, у нас что-то пошло не так. Попробуйте ещё раз чуть позже. Код ошибки: ${correlationId}`
  );
}

/** The localized error message; falls back step by step when i18n is what failed. */
function errorText(ctx: BotContext, correlationId: string, deps: { i18n: BotI18n }): string {
  const attempts = [
    // ctx.t exists once the i18n stage ran (and knows the /language choice)...
    () => (typeof ctx.t === 'function' ? ctx.t('core-error-generic', { id: correlationId }) : undefined),
    // ...before that, the language_code of the user decides.
    () => deps.i18n.translator.t(deps.i18n.negotiateLocale(ctx), 'core-error-generic', { id: correlationId }),
  ];
  for (const attempt of attempts) {
    try {
      const text = attempt();
      if (typeof text === 'string' && text.trim() !== '') return text;
    } catch {
      // the next attempt
    }
  }
  return fallbackErrorText(correlationId);
}

async function tellUserAboutError(
  ctx: BotContext,
  correlationId: string,
  deps: { logger: Logger; i18n: BotI18n },
): Promise<void> {
  try {
    const text = errorText(ctx, correlationId, deps);
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    if (ctx.chatId !== undefined) await ctx.reply(text);
  } catch (replyError) {
    deps.logger.warn({ err: replyError, correlationId }, 'could not deliver the error message to the user');
  }
}
