import type { JobDefinition } from '@botloom/core';
import { ANSWER_PENDING_JOB } from './services/pending-questions-over-jobs.js';
import type { PendingQuestion } from './services/ports.js';
import type { SupportServices } from './support-services.js';

export { ANSWER_PENDING_JOB };

export function supportJobs(): JobDefinition<any, SupportServices>[] {
  const answerPending: JobDefinition<PendingQuestion, SupportServices> = {
    name: ANSWER_PENDING_JOB,
    retryLimit: 3,
    retryDelaySeconds: 30,
    async handler(data, ctx) {
      const outcome = await ctx.services.desk.customers.answerPending(data);
      ctx.logger.info({ ticket: data.ticketId, attempt: data.attempt, outcome }, 'pending question tried');
    },
  };
  return [answerPending];
}
