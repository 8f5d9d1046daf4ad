import type { JobDefinition, Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import type { CustomerDesk } from './services/customer-desk.js';
import type { PendingQuestion, PendingQuestions } from './services/ports.js';

/** Another try at a question asked while the model was unavailable. */
export const ANSWER_PENDING_JOB = 'answer-pending';

/** Pending questions as delayed jobs of core's durable queue (they survive a restart). */
export function pendingQuestionsOverJobs(
  jobs: () => Jobs,
  delaySeconds: () => number,
  logger: () => Logger,
): PendingQuestions {
  return {
    async retryLater(question) {
      try {
        await jobs().send(ANSWER_PENDING_JOB, question, { startAfter: delaySeconds() });
      } catch (err) {
        logger().warn({ err, ticket: question.ticketId }, 'could not schedule a pending question');
      }
    },
  };
}

export function supportJobs(customers: () => CustomerDesk): JobDefinition[] {
  const answerPending: JobDefinition<PendingQuestion> = {
    name: ANSWER_PENDING_JOB,
    retryLimit: 3,
    retryDelaySeconds: 30,
    async handler(data, ctx) {
      const outcome = await customers().answerPending(data);
      ctx.logger.info({ ticket: data.ticketId, attempt: data.attempt, outcome }, 'pending question tried');
    },
  };
  return [answerPending];
}
