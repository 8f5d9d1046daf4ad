import type { JobDefinition } from '@botloom/core';

export const EXPIRE_OFFERS_JOB = 'education-expire-offers';

/**
 * The module's durable jobs, for the plugin's `jobs` (`educationJobs((s) => s.education)`):
 * every 15 minutes, unused invites older than `educationOfferTtlHours` are revoked and their
 * pool groups freed.
 */
export function educationJobs<S>(
  education: (services: S) => { expireStaleOffers(): Promise<unknown> },
): JobDefinition<object, S>[] {
  return [
    {
      name: EXPIRE_OFFERS_JOB,
      cron: '*/15 * * * *',
      cronData: {},
      async handler(_data, ctx) {
        await education(ctx.services).expireStaleOffers();
      },
    },
  ];
}
