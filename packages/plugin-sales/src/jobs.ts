import type { JobDefinition } from '@botloom/core';
import type { FollowUpJobData } from './services/ports.js';
import { FOLLOW_UP_JOB, type SalesServices } from './services/sales-services.js';

/** The silence follow-up: durable, scheduled after each bot reply at a stage with a follow-up. */
export function salesJobs(): JobDefinition<any, SalesServices>[] {
  const followUp: JobDefinition<FollowUpJobData, SalesServices> = {
    name: FOLLOW_UP_JOB,
    retryLimit: 3,
    retryDelaySeconds: 60,
    async handler(data, ctx) {
      const sent = await ctx.services.conversations.runFollowUp(data);
      ctx.logger.debug({ conversationId: data.conversationId, sent }, 'sales follow-up');
    },
  };
  return [followUp];
}
