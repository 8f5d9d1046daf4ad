import { createHash } from 'node:crypto';
import { TelegramFailure } from '../gateway/telegram-errors.js';
import type { AccountSessionManager } from './account-session-manager.js';
import type { BotTelegramPort } from './ports.js';
import type { Channel, Comment, Post } from './records.js';

/** MTProto's random_id for a comment: the same key always gives the same 63-bit number. */
export function randomIdFor(idempotencyKey: string): bigint {
  const hash = createHash('sha256').update(`commentator:${idempotencyKey}`).digest();
  return hash.readBigInt64BE(0) & 0x7fffffffffffffffn;
}

export interface SentComment {
  chatId: number;
  messageId: number;
}

/**
 * Sends an approved comment the channel's way: the bot replies to the post's automatic
 * forward in the discussion group (Bot API), or the channel's user account replies through
 * MTProto with a random_id derived from the comment's idempotency key.
 */
export class CommentTransport {
  constructor(
    private readonly bot: BotTelegramPort,
    private readonly sessions: AccountSessionManager,
  ) {}

  /** Whether a retry after an unknown outcome (a crash mid-send) cannot post twice. */
  retrySafe(channel: Channel): boolean {
    return channel.route === 'account';
  }

  async send(channel: Channel, post: Post, comment: Comment): Promise<SentComment> {
    if (!channel.commentsOpen)
      throw new TelegramFailure('COMMENTS_CLOSED', 'The channel has no discussion group');
    if (channel.route === 'bot') {
      if (channel.discussionChatId === null || post.discussionMessageId === null) {
        throw new TelegramFailure(
          'TELEGRAM_ERROR',
          "The post's copy in the discussion group has not arrived yet",
        );
      }
      const sent = await this.bot.replyInChat(
        channel.discussionChatId,
        post.discussionMessageId,
        comment.text,
      );
      return { chatId: channel.discussionChatId, messageId: sent.messageId };
    }
    const session = await this.sessions.session(channel.accountId);
    const target = await session.getDiscussion(channel.username ?? channel.chatId, post.messageId);
    const sent = await session.sendComment(target, comment.text, randomIdFor(comment.idempotencyKey));
    return { chatId: target.chatId, messageId: sent.messageId };
  }
}
