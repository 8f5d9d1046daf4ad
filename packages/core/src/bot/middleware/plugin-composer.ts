import { performance } from 'node:perf_hooks';
import { Composer, type MiddlewareFn } from 'grammy';
import type { Logger } from 'pino';
import type { Metrics } from '../../http/metrics.js';
import type { BotContext } from '../context.js';
import { type LoggerSlot, loggerSlotOf, setLoggerSlot } from '../lazy-logger.js';
import { markErrorOrigin } from './error-boundary.js';

/**
 * Builds a plugin's composer and wraps it so that, while its handlers run, `ctx.logger` is
 * the plugin's logger (with the correlation id), its own time (not the time of the plugins
 * after it) lands in `handlerDuration{plugin}`, and an error it throws counts once in
 * `handlerErrors{plugin}` before reaching the error boundary.
 */
export function pluginMiddleware(deps: {
  pluginId: string;
  setup?: (composer: Composer<BotContext>) => void;
  logger: Logger;
  metrics: Metrics;
}): MiddlewareFn<BotContext> {
  const { pluginId, metrics } = deps;
  const composer = new Composer<BotContext>();
  // A throwing setup propagates as is: the app wraps every hook error in one place (invokeHook).
  deps.setup?.(composer);
  const handlers = composer.middleware();
  const pluginLogger = deps.logger.child({ plugin: pluginId });

  return async (ctx, next) => {
    const outerLogger = loggerSlotOf(ctx);
    // Made on first use (most updates log nothing).
    let ownLogger: LoggerSlot = () => pluginLogger.child({ correlationId: ctx.correlationId });
    let ownSeconds = 0;
    let startedAt = performance.now();
    let failedDownstream = false;
    setLoggerSlot(ctx, ownLogger);
    try {
      await handlers(ctx, async () => {
        ownSeconds += (performance.now() - startedAt) / 1000;
        ownLogger = loggerSlotOf(ctx);
        setLoggerSlot(ctx, outerLogger);
        try {
          await next();
        } catch (error) {
          failedDownstream = true;
          throw error;
        } finally {
          setLoggerSlot(ctx, ownLogger);
          startedAt = performance.now();
        }
      });
    } catch (error) {
      if (!failedDownstream) {
        metrics.handlerErrors.inc({ plugin: pluginId });
        markErrorOrigin(error, pluginId);
      }
      throw error;
    } finally {
      ownSeconds += (performance.now() - startedAt) / 1000;
      metrics.handlerDuration.observe({ plugin: pluginId }, ownSeconds);
      setLoggerSlot(ctx, outerLogger);
    }
  };
}
