import { NotFoundError } from '@botloom/core';
import type { SupportMessage, Ticket } from './ticket-service.js';

/** An inline button: a callback or a web app to open. */
export interface Button {
  text: string;
  callbackData?: string;
  webAppUrl?: string;
}

export type ButtonRows = Button[][];

/** A message in a Telegram chat (to copy it elsewhere). */
export interface TelegramMessageRef {
  chatId: number;
  messageId: number;
}

export interface OutgoingFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/**
 * What the desk needs from Telegram. The grammY adapter (src/bot/telegram-port.ts) maps Bot
 * API failures to `TopicGoneError` (deleted topic) and `ManagerGroupError` (missing group,
 * not a forum, no topic rights).
 */
export interface TelegramPort {
  /** Resolves to the sent message's id (when the adapter knows it). */
  sendMessage(
    chatId: number,
    text: string,
    options?: { threadId?: number; buttons?: ButtonRows },
    // biome-ignore lint/suspicious/noConfusingVoidType: an adapter that does not know the id returns nothing
  ): Promise<number | void>;
  sendFile(
    chatId: number,
    file: OutgoingFile,
    options?: { threadId?: number; caption?: string },
  ): Promise<void>;
  copyMessage(
    toChatId: number,
    fromChatId: number,
    messageId: number,
    options?: { threadId?: number },
  ): Promise<void>;
  createForumTopic(chatId: number, name: string): Promise<number>;
  closeForumTopic(chatId: number, threadId: number): Promise<void>;
  /** Deletes the topic with every message in it (a topic already gone is not an error). */
  deleteForumTopic(chatId: number, threadId: number): Promise<void>;
  /** Throws ManagerGroupError unless the chat is a forum where the bot can manage topics. */
  checkForumRights(chatId: number): Promise<void>;
}

/**
 * The customer's bot chat messages whose inline buttons act on a ticket. When a newer message
 * supersedes them, or the ticket moves on (handoff, close), their buttons are removed so that
 * an old button cannot act on the current ticket. Best effort: a press on a button that was
 * not removed is still checked against the ticket's state.
 */
export interface CustomerKeyboards {
  remember(customerId: number, message: TelegramMessageRef): Promise<void>;
  /** Removes the buttons of every remembered message of the customer. */
  retireAll(customerId: number): Promise<void>;
}

/** A question the assistant could not answer because the model was unavailable. */
export interface PendingQuestion {
  ticketId: number;
  messageId: number;
  /** Tries so far (1 = the try when the customer asked). */
  attempt: number;
}

/** Schedules another try at a pending question (a durable job in the app). */
export interface PendingQuestions {
  retryLater(question: PendingQuestion): Promise<void>;
}

/** A topic that no longer exists (deleted by someone in the group). */
export class TopicGoneError extends NotFoundError {
  constructor(chatId: number, threadId: number, cause?: unknown) {
    super(`Topic ${threadId} of chat ${chatId} no longer exists`, { code: 'TOPIC_GONE', cause });
  }
}

export interface TicketView {
  id: number;
  status: Ticket['status'];
  rating: number | null;
  openedAt: string;
  closedAt: string | null;
}

export interface MessageView {
  id: number;
  author: SupportMessage['author'];
  authorName: string | null;
  text: string;
  file: { id: string; name: string; type: string; size: number; url: string } | null;
  /** The assistant could not answer and offers a manager. */
  offer: boolean;
  createdAt: string;
}

/** Server-to-browser events of the web app chat. */
export type WebAppEvent =
  | { type: 'history'; ticket: TicketView | null; messages: MessageView[] }
  | { type: 'message'; message: MessageView }
  | { type: 'ticket'; ticket: TicketView }
  | { type: 'error'; code: string; text: string };

/** Live web app connections of customers. */
export interface RealtimeHub {
  isConnected(customerId: number): boolean | Promise<boolean>;
  publish(customerId: number, event: WebAppEvent | ((customerId: number) => WebAppEvent)): void;
}
