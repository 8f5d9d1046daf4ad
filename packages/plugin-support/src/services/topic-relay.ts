import type { FileStorage } from '@botloom/core';
import type { Logger } from 'pino';
import { type DeskPresenter, TRANSCRIPT_CHUNK } from './desk-presenter.js';
import { ManagerGroupError } from './errors.js';
import type { ManagerGroupHealth } from './manager-group-health.js';
import { type TelegramMessageRef, type TelegramPort, TopicGoneError } from './ports.js';
import type { SupportMessage, Ticket, TicketService } from './ticket-service.js';

export interface TopicRelayDeps {
  tickets: TicketService;
  telegram: TelegramPort;
  presenter: DeskPresenter;
  health: ManagerGroupHealth;
  files?: () => FileStorage | undefined;
  /** The manager group in use (the setting, or what the app wired). */
  groupChatId: () => number | undefined;
  logger: Logger;
}

/**
 * The ticket side of the manager group: one forum topic per handed-off ticket, opened with the
 * customer's info and the conversation so far, fed with the customer's later messages, and
 * closed with the ticket. Group failures are reported to the group's health, never thrown.
 */
export class TopicRelay {
  constructor(private readonly d: TopicRelayDeps) {}

  /** Creates the ticket's topic (no posts yet). Null when the manager group is unusable. */
  async createTopic(ticket: Ticket): Promise<Ticket | null> {
    const chatId = this.d.groupChatId();
    if (chatId === undefined) {
      await this.d.health.notConfigured();
      return null;
    }
    let threadId: number;
    try {
      threadId = await this.d.telegram.createForumTopic(
        chatId,
        `#${ticket.id} ${ticket.customerName}`.slice(0, 128),
      );
    } catch (err) {
      await this.d.health.problem('error', err instanceof Error ? err.message : String(err));
      return null;
    }
    this.d.health.worked();
    await this.d.tickets.setTopic(ticket.id, { chatId, threadId });
    return { ...ticket, topicChatId: chatId, topicThreadId: threadId };
  }

  /** The customer's info with the hand-back and close buttons, the conversation so far and its files, in as few messages as fit. */
  async postIntro(ticket: Ticket): Promise<void> {
    const chatId = ticket.topicChatId!;
    const threadId = ticket.topicThreadId!;
    const info = this.d.presenter.topicCustomerInfo(ticket);
    const messages = await this.d.tickets.messages(ticket.id);
    const chunks = this.d.presenter.transcriptChunks(messages, this.d.presenter.groupLocale());
    const first = `${info}\n\n${chunks[0]}`;
    const rest = first.length <= TRANSCRIPT_CHUNK ? chunks.slice(1) : chunks;
    try {
      await this.d.telegram.sendMessage(chatId, first.length <= TRANSCRIPT_CHUNK ? first : info, {
        threadId,
        buttons: this.d.presenter.topicButtons(ticket),
      });
      for (const chunk of rest) await this.d.telegram.sendMessage(chatId, chunk, { threadId });
    } catch (err) {
      this.d.logger.error({ err, ticket: ticket.id }, 'could not post the conversation in the new topic');
      return;
    }
    for (const m of messages.filter((x) => x.file)) {
      await this.sendStoredFile(ticket, m).catch((err) =>
        this.d.logger.warn({ err, ticket: ticket.id }, 'could not post a customer file in the new topic'),
      );
    }
  }

  /**
   * The ticket's topic, creating it (with the customer's info and the conversation so far)
   * when missing. Null when the manager group is unusable (the admin is alerted).
   */
  private async ensureTopic(ticket: Ticket): Promise<Ticket | null> {
    if (ticket.topicThreadId && ticket.topicChatId) return ticket;
    const created = await this.createTopic(ticket);
    if (created) await this.postIntro(created);
    return created;
  }

  /** Sends one customer message to the ticket's topic, re-creating the topic if it was deleted. */
  async forward(ticket: Ticket, message: SupportMessage, ref?: TelegramMessageRef): Promise<boolean> {
    if (!ticket.topicThreadId || !ticket.topicChatId) {
      // Creating the topic posts the whole transcript, this message included.
      return (await this.ensureTopic(ticket)) !== null;
    }
    try {
      await this.postCustomerMessage(ticket, message, ref);
      return true;
    } catch (err) {
      if (!(err instanceof TopicGoneError)) {
        this.d.logger.error({ err, ticket: ticket.id }, 'could not forward a customer message to the topic');
        if (err instanceof ManagerGroupError) await this.d.health.problem('error', err.message);
        return false;
      }
      this.d.logger.warn(
        { ticket: ticket.id, thread: ticket.topicThreadId },
        'ticket topic was deleted: creating a new one',
      );
      await this.d.tickets.setTopic(ticket.id, null);
      return (await this.ensureTopic({ ...ticket, topicChatId: null, topicThreadId: null })) !== null;
    }
  }

  /**
   * A handoff of a ticket that was handed back to the assistant: its topic (kept open) gets a
   * note with the buttons and the conversation since the hand-back. A topic that was deleted
   * meanwhile is created again with the whole history. False when the manager group is unusable.
   */
  async handoffAgain(ticket: Ticket, since: Date | null): Promise<Ticket | null> {
    if (!ticket.topicChatId || !ticket.topicThreadId) return this.ensureTopic(ticket);
    const { presenter } = this.d;
    const locale = presenter.groupLocale();
    const messages = (await this.d.tickets.messages(ticket.id)).filter(
      (m) => since === null || m.createdAt >= since,
    );
    const chunks = messages.length ? presenter.transcriptChunks(messages, locale) : [];
    try {
      await this.d.telegram.sendMessage(
        ticket.topicChatId,
        presenter.t(locale, 'support-topic-handoff-again', { ticket: ticket.id }),
        { threadId: ticket.topicThreadId, buttons: presenter.topicButtons(ticket) },
      );
    } catch (err) {
      if (!(err instanceof TopicGoneError)) {
        this.d.logger.error({ err, ticket: ticket.id }, 'could not post a new handoff in the topic');
        if (err instanceof ManagerGroupError) await this.d.health.problem('error', err.message);
        return null;
      }
      await this.d.tickets.setTopic(ticket.id, null);
      return this.ensureTopic({ ...ticket, topicChatId: null, topicThreadId: null });
    }
    for (const chunk of chunks) await this.post(ticket.topicChatId, ticket.topicThreadId, chunk);
    return ticket;
  }

  /** Posts the hand-back note in the topic, which stays open for a later handoff. */
  async handedBack(ticket: Ticket, by: string): Promise<void> {
    if (!ticket.topicChatId || !ticket.topicThreadId) return;
    await this.post(
      ticket.topicChatId,
      ticket.topicThreadId,
      this.d.presenter.t(this.d.presenter.groupLocale(), 'support-topic-handed-back', {
        ticket: ticket.id,
        by,
      }),
    );
  }

  /** Posts the closing note in a closed ticket's topic and closes the topic. */
  async closeTopic(ticket: Ticket, by: 'customer' | 'manager' | 'system'): Promise<void> {
    if (!ticket.topicChatId || !ticket.topicThreadId) return;
    const key = by === 'customer' ? 'support-topic-closed-by-customer' : 'support-topic-closed';
    await this.post(
      ticket.topicChatId,
      ticket.topicThreadId,
      this.d.presenter.t(this.d.presenter.groupLocale(), key, { ticket: ticket.id }),
    );
    await this.d.telegram.closeForumTopic(ticket.topicChatId, ticket.topicThreadId).catch((err) => {
      this.d.logger.warn({ err, ticket: ticket.id }, 'could not close the ticket topic');
    });
  }

  /** Posts a note in a topic; a failure is logged, not thrown. */
  async post(chatId: number, threadId: number, text: string): Promise<void> {
    try {
      await this.d.telegram.sendMessage(chatId, text, { threadId });
    } catch (err) {
      this.d.logger.warn({ err, threadId }, 'could not post in the topic');
    }
  }

  private async postCustomerMessage(ticket: Ticket, message: SupportMessage, ref?: TelegramMessageRef) {
    const chatId = ticket.topicChatId!;
    const threadId = ticket.topicThreadId!;
    const locale = this.d.presenter.groupLocale();
    if (ref) {
      // A photo or document sent in the bot chat: copied as is (its caption included).
      await this.d.telegram.sendMessage(
        chatId,
        this.d.presenter.t(locale, 'support-customer-file', { name: ticket.customerName }),
        { threadId },
      );
      await this.d.telegram.copyMessage(chatId, ref.chatId, ref.messageId, { threadId });
      return;
    }
    if (message.text) {
      await this.d.telegram.sendMessage(
        chatId,
        this.d.presenter.t(locale, 'support-customer-says', {
          name: ticket.customerName,
          text: message.text,
        }),
        { threadId },
      );
    }
    if (message.file) await this.sendStoredFile(ticket, message);
  }

  private async sendStoredFile(ticket: Ticket, message: SupportMessage) {
    const stored = message.file ? await this.d.files?.()?.get(message.file.id) : null;
    if (!stored || !message.file) return;
    const chunks: Buffer[] = [];
    for await (const chunk of stored.stream) chunks.push(chunk as Buffer);
    await this.d.telegram.sendFile(
      ticket.topicChatId!,
      { filename: message.file.name, contentType: message.file.type, data: Buffer.concat(chunks) },
      {
        threadId: ticket.topicThreadId!,
        caption: this.d.presenter.t(this.d.presenter.groupLocale(), 'support-customer-file', {
          name: ticket.customerName,
        }),
      },
    );
  }
}
