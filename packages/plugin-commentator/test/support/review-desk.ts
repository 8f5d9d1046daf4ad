import { startTestApp, type TestApp } from '@botloom/core/testing';
import { expect } from 'vitest';
import commentatorPlugin from '../../src/index.js';
import { createChannel, type SandboxChannel } from './helpers.js';

export interface ReviewDesk {
  t: TestApp;
  /** The review group's id, as the emulator answered it (the plugin reads it through its wiring). */
  review: number;
  /** The operator's channel, registered with the plugin. */
  channel: SandboxChannel;
}

/**
 * An app with the commentator, a review group (the owner, a reviewer who is its admin, and
 * other members) and the owner's channel registered: the start of every review-chat test.
 */
export async function startReviewDesk(options: {
  minSpacingSeconds: number;
  /** The operator's time zone (the plugin's `timeZone`; default UTC). */
  timeZone?: string;
  owner: { id: number; first_name: string };
  reviewer: { id: number; first_name: string };
  members?: Array<{ id: number; first_name: string }>;
}): Promise<ReviewDesk> {
  let review = 0;
  const t = await startTestApp({
    plugins: [
      commentatorPlugin(
        {
          brandName: 'Acme',
          minSpacingSeconds: options.minSpacingSeconds,
          ...(options.timeZone ? { timeZone: options.timeZone } : {}),
        },
        { reviewChatId: () => (review === 0 ? undefined : review) },
      ),
    ],
  });
  const people = [options.owner, options.reviewer, ...(options.members ?? [])];
  for (const person of people) await t.sandbox.createUser(person);
  const chat = await t.sandbox.createChat({
    type: 'supergroup',
    title: 'Comment review',
    ownerId: options.owner.id,
    memberIds: people.map((p) => p.id),
    adminIds: [options.reviewer.id],
  });
  review = chat.chat.id;
  const channel = await createChannel(t, options.owner.id, 'Acme news');
  expect((await t.admin.post('/admin/api/commentator/channels', { chatId: channel.channelId })).status).toBe(
    201,
  );
  return { t, review, channel };
}
