import { randomUUID } from 'node:crypto';
import type { Crypto, Jobs } from '@botloom/core';
import type { ConversationStore } from './conversation-store.js';
import type { Outbox } from './outbox.js';

export const FOLLOW_UP_JOB = 'follow-up';

export interface FollowUpJob {
  id: string;
  conversationId: string;
  /** Encrypted: job data sits in the queue's table. */
  text: string;
}

/** A bot message to one thread later; when it is due the window decides again. */
export class FollowUps {
  constructor(
    private readonly deps: {
      jobs: () => Jobs;
      crypto: Crypto;
      store: ConversationStore;
      outbox: Outbox;
      now: () => Date;
    },
  ) {}

  async schedule(conversationId: string, text: string, delaySeconds: number) {
    const job: FollowUpJob = { id: randomUUID(), conversationId, text: this.deps.crypto.encrypt(text) };
    await this.deps.jobs().send(FOLLOW_UP_JOB, job, { startAfter: delaySeconds });
    return { id: job.id, dueAt: new Date(this.deps.now().getTime() + delaySeconds * 1000) };
  }

  async run(job: FollowUpJob): Promise<void> {
    const conversation = await this.deps.store.get(job.conversationId);
    if (!conversation) return;
    await this.deps.outbox.enqueue({
      conversation,
      author: 'bot',
      text: this.deps.crypto.decrypt(job.text),
      replyKey: `follow-up:${job.id}`,
      source: 'follow-up',
    });
  }
}
