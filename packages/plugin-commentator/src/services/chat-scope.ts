import { createSharedIdSet, type SharedIdSet, type Signals } from '@botloom/core';
import type { Logger } from 'pino';
import type { Sql } from './sql.js';

/**
 * The chats whose updates can concern the commentator, held in memory: the monitored channels,
 * their discussion groups and the chats our comments were sent to (the review chat is checked
 * apart). Group messages, reactions and channel posts reach every plugin; with this set the
 * commentator drops those of other chats (a support group's replies, a stranger channel's
 * reactions) without a database read or write each.
 *
 * Before the first load every chat is in scope. A chat added here (a channel registered, a
 * discussion group learnt, a comment sent) is added at once and announced to the other
 * instances, which reload; a lost announcement is repaired by the reload every minute.
 */
export class CommentatorChatScope {
  private readonly chats: SharedIdSet;

  constructor(sql: Sql, signals?: Signals, logger?: Logger) {
    this.chats = createSharedIdSet({
      name: 'commentator.chats',
      signals,
      logger,
      load: async () => {
        const rows = await sql.select<{ id: string }>(
          `SELECT chat_id AS id FROM commentator_telegram_channels
           UNION SELECT discussion_chat_id FROM commentator_telegram_channels WHERE discussion_chat_id IS NOT NULL
           UNION SELECT DISTINCT sent_chat_id FROM commentator_generated_comments WHERE sent_chat_id IS NOT NULL`,
        );
        return rows.map((r) => Number(r.id));
      },
    });
  }

  start(): Promise<void> {
    return this.chats.start();
  }

  stop(): Promise<void> {
    return this.chats.stop();
  }

  reload(): Promise<void> {
    return this.chats.reload();
  }

  /** Whether updates of `chatId` may concern the commentator. */
  concerns(chatId: number): boolean {
    return this.chats.has(chatId);
  }

  /** A chat now concerns the commentator (call after the change is committed). */
  add(chatId: number | null | undefined): Promise<void> {
    return this.chats.add(chatId);
  }
}
