import type { Message } from 'grammy/types';
import type { ChatState, SandboxWorld } from './world.js';

/** Unread messages of one person in one chat: the total and per thread (0 = the chat itself or General). */
export interface UnreadCounts {
  total: number;
  threads: Record<string, number>;
}

/** The thread a message is shown in: its topic in a forum, otherwise 0 (the chat, or General). */
function threadOf(chat: ChatState, message: Message): number {
  if (!(chat.chat as { is_forum?: boolean }).is_forum || !message.is_topic_message) return 0;
  return message.message_thread_id ?? 0;
}

/**
 * What each sandbox person has read, per chat and topic, as Telegram keeps it: the newest
 * message id seen there. The playground marks what it shows as read and draws the rest as
 * unread badges on chats and topics.
 */
export class ReadMarks {
  private readonly marks = new Map<string, number>();

  private key(userId: number, chatId: number, threadId: number): string {
    return `${userId}|${chatId}|${threadId}`;
  }

  /** Everything shown in that chat (and topic) so far counts as read by the person. */
  markRead(world: SandboxWorld, userId: number, chatId: number, threadId = 0): void {
    const chat = world.chats.get(chatId);
    if (!chat) return;
    let newest = 0;
    for (const message of world.transcript(chat)) {
      if (threadOf(chat, message) === threadId) newest = Math.max(newest, message.message_id);
    }
    const key = this.key(userId, chatId, threadId);
    this.marks.set(key, Math.max(this.marks.get(key) ?? 0, newest));
  }

  /** Messages from others (the bot, other people) after the person's read mark. */
  unread(world: SandboxWorld, userId: number, chat: ChatState): UnreadCounts {
    const counts: UnreadCounts = { total: 0, threads: {} };
    for (const message of world.transcript(chat)) {
      if (message.from?.id === userId) continue;
      const threadId = threadOf(chat, message);
      if (message.message_id <= (this.marks.get(this.key(userId, chat.chat.id, threadId)) ?? 0)) continue;
      counts.total += 1;
      counts.threads[threadId] = (counts.threads[threadId] ?? 0) + 1;
    }
    return counts;
  }
}
