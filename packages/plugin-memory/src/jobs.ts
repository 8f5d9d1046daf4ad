import { type JobDefinition, type Resolve, Tokens } from '@botloom/core';
import type { MemoryServices } from './services/memory-services.js';
import { IDLE_JOB, type IdleJobData, type SummariseOutcome } from './services/session-lifecycle.js';

/**
 * Tells the user that their session ended because of inactivity (best effort: the memory is
 * stored whether or not the message arrives).
 */
async function notifyIdleEnd(
  resolve: Resolve,
  idleMinutes: number,
  outcome: SummariseOutcome,
): Promise<void> {
  const { session } = outcome;
  if (outcome.status === 'empty' || outcome.status === 'skipped') return;
  const kv = resolve(Tokens.Kv);
  const i18n = resolve(Tokens.I18n);
  const locale = ((await kv.get(`locale:${session.userId}`)) as string | undefined) ?? i18n.defaultLocale;
  const minutes = Math.round(idleMinutes);
  const text =
    outcome.status === 'done'
      ? i18n.t(locale, 'memory-session-idle-ended', {
          title: outcome.title ?? '',
          minutes,
          count: outcome.memories.length,
        })
      : i18n.t(locale, 'memory-session-idle-ended-pending', { minutes });
  await resolve(Tokens.TelegramApi).sendMessage(session.chatId, text);
}

/** The idle-end job and the sweep; handlers use the plugin's services (`ctx.services`). */
export function memoryJobs(): JobDefinition<any, MemoryServices>[] {
  const idle: JobDefinition<IdleJobData, MemoryServices> = {
    name: IDLE_JOB,
    retryLimit: 3,
    retryDelaySeconds: 60,
    async handler(data, ctx) {
      const s = ctx.services;
      const outcome = await s.lifecycle.onIdleTimeout(data.sessionId);
      if (!outcome) return;
      await notifyIdleEnd(ctx.resolve, s.config.sessionIdleMinutes, outcome).catch((err) =>
        ctx.logger.warn({ err, sessionId: data.sessionId }, 'could not notify the user about the idle end'),
      );
    },
  };
  const sweep: JobDefinition<Record<string, never>, MemoryServices> = {
    name: 'sweep',
    cron: '*/5 * * * *',
    cronData: {},
    retryLimit: 0,
    async handler(_data, ctx) {
      const s = ctx.services;
      const { ended, retried } = await s.lifecycle.sweep();
      for (const outcome of ended) {
        await notifyIdleEnd(ctx.resolve, s.config.sessionIdleMinutes, outcome).catch((err) =>
          ctx.logger.warn({ err }, 'could not notify the user about the idle end'),
        );
      }
      if (ended.length || retried.length) {
        ctx.logger.info({ ended: ended.length, retried: retried.length }, 'memory sweep');
      }
    },
  };
  return [idle, sweep];
}
