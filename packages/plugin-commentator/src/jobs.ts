import type { JobDefinition } from '@botloom/core';
import { SEND_JOB } from './services/comment-scheduler-service.js';
import { type CommentatorServices, PROCESS_POST_JOB } from './services/commentator-services.js';

/** A post stored but not processed for this long is picked up by the sweep. */
const STALE_POST_MS = 5 * 60_000;

/**
 * Durable jobs: a stored post is processed (analysis, draft), an approved comment is sent at
 * its slot; the per-minute sweep sends whatever is due (a lost job loses nothing), processes
 * posts a crash left behind and polls the channels read by accounts; engagement is read
 * every 15 minutes.
 */
export function commentatorJobs(): JobDefinition<any, CommentatorServices>[] {
  const processPost: JobDefinition<{ postId: number }, CommentatorServices> = {
    name: PROCESS_POST_JOB,
    retryLimit: 3,
    retryDelaySeconds: 60,
    async handler({ postId }, ctx) {
      const outcome = await ctx.services.pipeline.process(postId);
      if (outcome.status === 'skipped') ctx.logger.info({ postId, reason: outcome.reason }, 'post skipped');
    },
  };
  const send: JobDefinition<{ commentId: number }, CommentatorServices> = {
    name: SEND_JOB,
    retryLimit: 0,
    async handler({ commentId }, ctx) {
      const outcome = await ctx.services.scheduler.sendOne(commentId);
      ctx.logger.info({ commentId, outcome: outcome.status }, 'comment send');
      if (outcome.status !== 'not_due' && outcome.status !== 'taken')
        await ctx.services.review.refresh(commentId);
    },
  };
  const sweep: JobDefinition<Record<string, never>, CommentatorServices> = {
    name: 'sweep',
    cron: '* * * * *',
    cronData: {},
    retryLimit: 0,
    async handler(_data, ctx) {
      const s = ctx.services;
      for (const postId of await s.pipeline.unprocessed(new Date(Date.now() - STALE_POST_MS))) {
        await s.queuePost(postId);
      }
      const outcomes = await s.scheduler.runDue();
      const fresh = await s.channels.pollAccountChannels().catch((err) => {
        ctx.logger.warn({ err }, 'polling account channels failed');
        return [];
      });
      for (const post of fresh) await s.queuePost(post.id);
      await s.directMessages.poll();
      if (outcomes.length || fresh.length) {
        ctx.logger.info({ sends: outcomes.length, polled: fresh.length }, 'commentator sweep');
      }
    },
  };
  const engagement: JobDefinition<Record<string, never>, CommentatorServices> = {
    name: 'engagement',
    cron: '*/15 * * * *',
    cronData: {},
    retryLimit: 0,
    async handler(_data, ctx) {
      await ctx.services.engagement.measure();
    },
  };
  return [processPost, send, sweep, engagement];
}
