import type { JobDefinition } from '@botloom/core';
import { POST_JOB, type PostJobData } from './group-posts.js';

export const EXPIRE_OFFERS_JOB = 'education-expire-offers';

/** What the module's jobs call (an EducationModule fits). */
export interface EducationJobTarget {
  expireStaleOffers(): Promise<unknown>;
  deliverPost(postId: number): Promise<unknown>;
  resumeStalledPosts(): Promise<unknown>;
}

/**
 * The module's durable jobs, for the plugin's `jobs` (`educationJobs((s) => s.education)`):
 * - `education-post`: sends one planned post of Script #2 (and the group's open posts after it);
 * - every 15 minutes, unused invites older than `educationOfferTtlHours` are revoked and their
 *   pool groups freed, and posts whose delivery stalled are queued again.
 * `education` returns undefined when the module is not built: the jobs then do nothing.
 */
export function educationJobs<S>(
  education: (services: S) => EducationJobTarget | undefined,
): JobDefinition<any, S>[] {
  const post: JobDefinition<PostJobData, S> = {
    name: POST_JOB,
    retryLimit: 5,
    retryDelaySeconds: 20,
    async handler(data, ctx) {
      await education(ctx.services)?.deliverPost(data.postId);
    },
  };
  const sweep: JobDefinition<object, S> = {
    name: EXPIRE_OFFERS_JOB,
    cron: '*/15 * * * *',
    cronData: {},
    async handler(_data, ctx) {
      const target = education(ctx.services);
      if (!target) return;
      await target.expireStaleOffers();
      await target.resumeStalledPosts();
    },
  };
  return [post, sweep];
}
