import type { Jobs, Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { DisclosedAssistants } from './disclosed-assistants.js';
import type { EducationGroupStore, GroupPost } from './group-store.js';
import type { EducationTelegram } from './ports.js';

export const POST_JOB = 'education-post';

export interface PostJobData {
  postId: number;
}

/** Tries at one post before it is marked failed and the group's next post goes out. */
const MAX_ATTEMPTS = 5;
/** A post "being sent" for longer than this was left by an instance that stopped. */
const STALE_SENDING_SECONDS = 300;
/** A pending post older than this whose job never ran is re-queued by the sweep. */
const STALE_PENDING_SECONDS = 60;

/**
 * Delivers Script #2's posts. The runner plans them (education_group_posts, in the same
 * transaction as the stage they belong to) and this queues one durable job per post; a job
 * sends its group's open posts in order, starting with the first. One instance sends each post
 * (pending → sending is a guarded update), so a redelivered job or a second instance posts
 * nothing twice; a crash before the post was sent loses nothing (its job runs again), and a
 * crash in the moment of sending leaves it `unconfirmed` rather than posting it again.
 */
export class GroupPostDelivery {
  constructor(
    private readonly store: EducationGroupStore,
    private readonly telegram: EducationTelegram,
    private readonly assistants: DisclosedAssistants,
    private readonly translator: Translator,
    /** Absent (unit tests, an app without jobs): posts are sent at once, in the caller. */
    private readonly jobs: Jobs | null | undefined,
    private readonly logger: Logger,
  ) {}

  /** Queues the job of each newly planned post (or, without jobs, sends them now). */
  async dispatch(postIds: number[]): Promise<void> {
    if (postIds.length === 0) return;
    if (!this.jobs) {
      await this.deliver(postIds[0]!);
      return;
    }
    for (const postId of postIds) {
      await this.jobs.send<PostJobData>(POST_JOB, { postId }, { singletonKey: `post-${postId}` });
    }
  }

  /**
   * The job: sends `postId` and the open posts after it in its group, in order. Returns how
   * many it sent. Throws (the job is retried) when Telegram refused a post that has tries left.
   */
  async deliver(postId: number): Promise<number> {
    let sent = 0;
    let post = await this.store.post(postId);
    while (post) {
      const claimed = await this.store.claimPost(post.id);
      if (claimed) {
        await this.send(claimed);
        sent++;
      } else if (post.status === 'sending') {
        // Another instance is sending it, or stopped while it did (then it is not sent again).
        if (!(await this.store.settleStalePost(post.id, STALE_SENDING_SECONDS))) return sent;
      } else if (post.status === 'pending') {
        // An earlier post of the group is not settled yet: whoever sends it goes on to this one.
        return sent;
      }
      post = await this.store.firstOpenPost(post.groupId);
    }
    return sent;
  }

  /** The sweep (cron): re-queues the first open post of groups whose delivery stalled. */
  async resumeStalled(): Promise<number> {
    const ids = await this.store.stalledPosts(STALE_PENDING_SECONDS, STALE_SENDING_SECONDS);
    for (const id of ids) {
      if (this.jobs)
        await this.jobs.send<PostJobData>(POST_JOB, { postId: id }, { singletonKey: `post-${id}` });
      else await this.deliver(id);
    }
    if (ids.length) this.logger.info({ groups: ids.length }, 'resumed stalled education group posts');
    return ids.length;
  }

  private async send(post: GroupPost): Promise<void> {
    try {
      if (post.chatId === null) throw new Error('the group has no chat');
      if ('assistant' in post.payload) {
        const assisted = await this.assistants.post(post.chatId, post.locale, post.payload.assistant);
        if (assisted) {
          await this.store.postSent(post, {
            groupId: post.groupId,
            messageId: assisted.messageId,
            author: 'assistant',
            authorId: assisted.assistant.id,
            stageId: post.stageId,
            text: assisted.text,
          });
          return;
        }
        // No assistant could post: the main bot posts it as its own message.
        const key =
          post.payload.assistant.kind === 'example'
            ? 'sales-edu-example-by-bot'
            : 'sales-edu-question-by-bot';
        await this.sendAsBot(
          post,
          this.translator.t(post.locale, key, { text: post.payload.assistant.text }),
        );
        return;
      }
      await this.sendAsBot(post, post.payload.text, post.payload.replyTo);
    } catch (err) {
      const final = post.attempts >= MAX_ATTEMPTS;
      await this.store.postFailed(post.id, err instanceof Error ? err.message : String(err), final);
      if (final) {
        this.logger.error({ err, postId: post.id, groupId: post.groupId }, 'education post failed for good');
        return;
      }
      throw err;
    }
  }

  private async sendAsBot(post: GroupPost, text: string, replyTo?: number) {
    const messageId = await this.telegram.sendText(post.chatId!, text, { replyTo });
    await this.store.postSent(post, {
      groupId: post.groupId,
      messageId,
      author: 'bot',
      stageId: post.stageId,
      text,
    });
  }
}
