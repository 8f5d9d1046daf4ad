import type { JobDefinition } from '@botloom/core';
import type { FollowUpJobData, ManagerAlertJobData } from './services/ports.js';
import { FOLLOW_UP_JOB, MANAGER_ALERT_JOB, type SalesServices } from './services/sales-services.js';

/**
 * The silence follow-up (durable, scheduled after each bot reply at a stage with a follow-up)
 * and the alert to a sales manager (one job per manager chat).
 */
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
  const managerAlert: JobDefinition<ManagerAlertJobData, SalesServices> = {
    name: MANAGER_ALERT_JOB,
    retryLimit: 5,
    retryDelaySeconds: 60,
    async handler(data, ctx) {
      const sent = await ctx.services.conversations.sendManagerAlert(data);
      ctx.logger.info(
        { conversationId: data.conversationId, reason: data.reason, sent },
        'sales manager alert',
      );
    },
  };
  return [followUp, managerAlert];
}
