/**
 * Events the commentator emits on core's event bus (`coreServices.events`).
 *
 * `commentator.message.received` is how another plugin (plugin-sales) learns that a person
 * wrote to the operator first: a reply to one of our comments, or a private message to one
 * of the operator's accounts. The text is what the person wrote; handlers run in process.
 */
export interface CommentatorMessageReceived {
  accountId: number;
  kind: 'reply' | 'direct';
  /** Telegram chat of the message (the discussion group for replies, the private chat for direct). */
  chatId: number;
  messageId: number;
  fromUserId: number;
  fromName: string;
  text: string;
  /** For replies: the comment they answer. */
  commentId: number | null;
  receivedAt: string;
}

declare module '@botloom/core/events' {
  interface BotloomEvents {
    'commentator.message.received': CommentatorMessageReceived;
    'commentator.comment.sent': { commentId: number; channelId: number; accountId: number };
    'commentator.account.paused': { accountId: number; reason: string; until: string | null };
  }
}

export const COMMENTATOR_EVENTS = [
  'commentator.message.received',
  'commentator.comment.sent',
  'commentator.account.paused',
] as const;
