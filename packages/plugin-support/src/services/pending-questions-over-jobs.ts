import type { Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import type { PendingQuestions } from './ports.js';

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
