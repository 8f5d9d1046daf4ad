import type { ChatMessage, EventBus, FileStorage, Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { SupportConfig } from '../config.js';
import type { AnswerService } from './answer-service.js';
import { ManagerGroupError, SupportError } from './errors.js';
import type { ManagerService } from './manager-service.js';
import {
  type ButtonRows,
  type MessageView,
  type RealtimeHub,
  type TelegramPort,
  type TicketView,
  TopicGoneError,
} from './ports.js';
import { writtenLanguage } from './small-talk.js';
import type {
  AttachedFile,
  Channel,
  CustomerInfo,
  SupportMessage,
  Ticket,
  TicketService,
} from './ticket-service.js';
import { firstResponseSeconds, isHandedOff, resolutionSeconds } from './ticket-state.js';

export interface ManagerGroupStatus {
  state: 'unknown' | 'ok' | 'not_configured' | 'error';
  message?: string;
  checkedAt?: string;
}

export interface TelegramMessageRef {
  chatId: number;
  messageId: number;
}

export interface SupportDeskDeps {
  tickets: TicketService;
  managers: ManagerService;
  answers: AnswerService;
  telegram: TelegramPort;
  hub: RealtimeHub;
  translator: Translator;
  events: EventBus;
  files?: () => FileStorage | undefined;
  config: SupportConfig;
  logger: Logger;
  /** Signed download URL of a stored file for one customer (web app). */
  fileUrl(fileId: string, customerId: number): string;
}

export type ManagerMessageOutcome = 'forwarded' | 'refused' | 'unknown_topic' | 'ticket_closed' | 'ignored';

const TRANSCRIPT_CHUNK = 3500;

/**
 * The support desk: customers' messages (bot chat or web app) go to the assistant while a
 * ticket is in `ai`, to the ticket's manager topic after a handoff; managers' messages in
 * the topic go back to the customer wherever they are (the web app when it is open, the
 * bot chat otherwise); tickets close from either side and end with a 1-5 rating.
 */
export class SupportDesk {
  private groupStatus: ManagerGroupStatus = { state: 'unknown' };
  private lastAdminAlert = '';

  constructor(private readonly d: SupportDeskDeps) {}

  // ---- helpers ---------------------------------------------------------------------------

  localeOf(language: string | null | undefined): string {
    const lang = (language ?? '').toLowerCase().split('-')[0] ?? '';
    return this.d.translator.locales.includes(lang) ? lang : this.d.translator.defaultLocale;
  }

  /** Numbers are passed as strings: ids and ticket numbers must not get digit grouping. */
  private t(locale: string, key: string, vars?: Record<string, string | number>): string {
    const plain = vars ? Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) : undefined;
    return this.d.translator.t(locale, key, plain);
  }

  private groupLocale(): string {
    return this.d.translator.defaultLocale;
  }

  ticketView(ticket: Ticket): TicketView {
    return {
      id: ticket.id,
      status: ticket.status,
      rating: ticket.rating,
      openedAt: ticket.openedAt.toISOString(),
      closedAt: ticket.closedAt?.toISOString() ?? null,
    };
  }

  messageView(message: SupportMessage, customerId: number): MessageView {
    return {
      id: message.id,
      author: message.author,
      authorName: message.author === 'manager' || message.author === 'customer' ? message.authorName : null,
      text: message.text,
      file: message.file ? { ...message.file, url: this.d.fileUrl(message.file.id, customerId) } : null,
      offer: message.offer,
      createdAt: message.createdAt.toISOString(),
    };
  }

  customerButtons(locale: string, kind: 'answer' | 'offer' | 'rating', ticketId?: number): ButtonRows {
    if (kind === 'offer')
      return [[{ text: this.t(locale, 'support-button-call-manager'), callbackData: 'support:handoff' }]];
    if (kind === 'answer') {
      return [
        [
          { text: this.t(locale, 'support-button-satisfied'), callbackData: 'support:satisfied' },
          { text: this.t(locale, 'support-button-call-manager'), callbackData: 'support:handoff' },
        ],
      ];
    }
    return [[1, 2, 3, 4, 5].map((n) => ({ text: `${n} ⭐`, callbackData: `support:rate:${ticketId}:${n}` }))];
  }

  /**
   * Stores nothing: sends a stored message to the customer. The web app (if open) always gets
   * it; the bot chat gets it when `via` is 'bot', or, without `via`, when no web app is open.
   */
  private async toCustomer(
    ticket: Ticket,
    message: SupportMessage,
    options: { via?: Channel; buttons?: ButtonRows } = {},
  ) {
    const view = this.messageView(message, ticket.customerId);
    this.d.hub.publish(ticket.customerId, { type: 'message', message: view });
    const viaBot = options.via ? options.via === 'bot' : !this.d.hub.isConnected(ticket.customerId);
    if (!viaBot) return;
    const locale = this.localeOf(ticket.customerLanguage);
    const text =
      message.author === 'manager'
        ? this.t(locale, 'support-manager-says', { name: message.authorName ?? '', text: message.text })
        : message.text;
    try {
      await this.d.telegram.sendMessage(ticket.customerChatId, text, { buttons: options.buttons });
    } catch (err) {
      this.d.logger.warn({ err, ticket: ticket.id }, 'could not deliver a message to the customer bot chat');
    }
  }

  private async systemToCustomer(
    ticket: Ticket,
    key: string,
    options: {
      via?: Channel;
      buttons?: ButtonRows;
      offer?: boolean;
      vars?: Record<string, string | number>;
    } = {},
  ) {
    const locale = this.localeOf(ticket.customerLanguage);
    const message = await this.d.tickets.addMessage(ticket.id, {
      author: 'system',
      channel: 'system',
      text: this.t(locale, key, { ticket: ticket.id, ...options.vars }),
      offer: options.offer,
    });
    await this.toCustomer(ticket, message, options);
    return message;
  }

  private async openTicket(customer: CustomerInfo, channel: Channel): Promise<Ticket> {
    const { ticket, opened } = await this.d.tickets.openOrContinue(customer, channel);
    if (opened) {
      await this.d.events.emit('support.ticket.opened', {
        ticketId: ticket.id,
        customerId: ticket.customerId,
        channel,
      });
      this.d.hub.publish(ticket.customerId, { type: 'ticket', ticket: this.ticketView(ticket) });
    }
    return ticket;
  }

  // ---- customers -------------------------------------------------------------------------

  /** A customer wrote (text and/or a file). Returns the ticket it went to. */
  async customerMessage(
    customer: CustomerInfo,
    channel: Channel,
    input: { text?: string; file?: AttachedFile; media?: { label: string; ref: TelegramMessageRef } },
  ): Promise<Ticket> {
    const text = (input.text ?? '').trim();
    const locale = this.localeOf(customer.language);
    if (text.length > this.d.config.maxMessageChars) {
      throw new SupportError(
        'MESSAGE_TOO_LONG',
        this.t(locale, 'support-message-too-long', { max: this.d.config.maxMessageChars }),
      );
    }
    let ticket = await this.openTicket(customer, channel);
    const stored = await this.d.tickets.addMessage(ticket.id, {
      author: 'customer',
      authorId: customer.id,
      authorName: customer.name,
      channel,
      text: input.media && !text ? input.media.label : text,
      file: input.file ?? null,
    });
    this.d.hub.publish(customer.id, { type: 'message', message: this.messageView(stored, customer.id) });

    if (isHandedOff(ticket.status)) {
      const delivered = await this.forwardToTopic(ticket, stored, input.media?.ref);
      if (!delivered) await this.systemToCustomer(ticket, 'support-handoff-queued', { via: channel });
      return ticket;
    }

    if (!text || input.file || input.media) {
      // The assistant cannot read files: offer a manager instead.
      await this.aiReply(ticket, channel, this.t(locale, 'support-file-needs-manager'), { offer: true });
      return ticket;
    }

    const history = await this.historyForModel(ticket.id, stored.id);
    const answer = await this.d.answers.answer(text, history, String(customer.id));
    ticket = (await this.d.tickets.get(ticket.id)) ?? ticket;
    if (answer.kind === 'small_talk') {
      const language = this.localeOf(writtenLanguage(text, locale));
      await this.aiReply(ticket, channel, this.t(language, `support-smalltalk-${answer.intent}`), {
        buttons: false,
      });
    } else if (answer.kind === 'answer') {
      await this.aiReply(ticket, channel, answer.text, {
        knowledge: answer.passages,
        confidence: answer.confidence,
      });
    } else {
      this.d.logger.info(
        { ticket: ticket.id, reason: answer.reason, confidence: answer.confidence },
        'assistant offers a manager',
      );
      const key = answer.reason === 'live_data' ? 'support-live-data' : 'support-cannot-answer';
      await this.aiReply(ticket, channel, this.t(locale, key), {
        offer: true,
        confidence: answer.confidence,
      });
    }
    return ticket;
  }

  private async aiReply(
    ticket: Ticket,
    channel: Channel,
    text: string,
    extra: {
      offer?: boolean;
      knowledge?: import('./knowledge-service.js').KnowledgePassage[];
      confidence?: number;
      /** false: a plain reply (small talk) without the satisfied / call-a-manager buttons. */
      buttons?: false;
    },
  ) {
    const locale = this.localeOf(ticket.customerLanguage);
    const message = await this.d.tickets.addMessage(ticket.id, {
      author: 'ai',
      channel: 'system',
      text,
      knowledge: extra.knowledge ?? null,
      confidence: extra.confidence ?? null,
      offer: extra.offer ?? false,
    });
    await this.toCustomer(ticket, message, {
      via: channel,
      buttons:
        extra.buttons === false ? undefined : this.customerButtons(locale, extra.offer ? 'offer' : 'answer'),
    });
  }

  private async historyForModel(ticketId: number, excludeId: number): Promise<ChatMessage[]> {
    const limit = this.d.config.historyForAnswer;
    if (!limit) return [];
    const messages = await this.d.tickets.messages(ticketId, { limit: limit + 1 });
    return messages
      .filter(
        (m) => m.id !== excludeId && m.text && (m.author === 'customer' || (m.author === 'ai' && !m.offer)),
      )
      .slice(-limit)
      .map((m) => ({ role: m.author === 'customer' ? 'user' : 'assistant', content: m.text }));
  }

  /** The customer asks for a person. */
  async callManager(customer: CustomerInfo, channel: Channel): Promise<Ticket> {
    const ticket = await this.openTicket(customer, channel);
    if (ticket.status !== 'ai') {
      await this.systemToCustomer(ticket, 'support-handoff-already', { via: channel });
      return ticket;
    }
    const updated = await this.d.tickets.transition(ticket.id, 'waiting_manager', `customer:${customer.id}`);
    this.d.hub.publish(customer.id, { type: 'ticket', ticket: this.ticketView(updated) });
    await this.d.events.emit('support.handoff', {
      ticketId: updated.id,
      customerId: updated.customerId,
      channel,
    });
    // The customer hears back as soon as the topic exists; the history is posted after.
    const withTopic = await this.createTopic(updated);
    await this.systemToCustomer(updated, withTopic ? 'support-handoff-started' : 'support-handoff-queued', {
      via: channel,
    });
    if (withTopic) await this.postTopicIntro(withTopic);
    return withTopic ?? updated;
  }

  /** The customer says the question is solved: the ticket closes and a rating is asked. */
  async satisfied(customer: CustomerInfo, channel: Channel): Promise<Ticket | null> {
    const ticket = await this.d.tickets.openTicketOf(customer.id);
    if (!ticket) return null;
    return this.closeTicket(ticket.id, 'customer', customer.id, channel);
  }

  async rate(customerId: number, ticketId: number, rating: number): Promise<boolean> {
    const ok = await this.d.tickets.rate(ticketId, customerId, rating);
    if (ok) {
      const ticket = await this.d.tickets.require(ticketId);
      this.d.hub.publish(customerId, { type: 'ticket', ticket: this.ticketView(ticket) });
      await this.d.events.emit('support.ticket.rated', { ticketId, customerId, rating });
    }
    return ok;
  }

  /** What the web app shows: the open ticket, or else the latest one, with its messages. */
  async history(customerId: number): Promise<{ ticket: TicketView | null; messages: MessageView[] }> {
    const ticket =
      (await this.d.tickets.openTicketOf(customerId)) ?? (await this.d.tickets.latestOf(customerId));
    if (!ticket) return { ticket: null, messages: [] };
    const messages = await this.d.tickets.messages(ticket.id, { limit: 200 });
    return {
      ticket: this.ticketView(ticket),
      messages: messages.map((m) => this.messageView(m, customerId)),
    };
  }

  // ---- managers --------------------------------------------------------------------------

  /** A message in a topic of the manager group. */
  async managerMessage(
    chatId: number,
    threadId: number,
    from: { id: number; name: string },
    input: { text?: string; telegram: TelegramMessageRef },
  ): Promise<ManagerMessageOutcome> {
    if (chatId !== this.d.config.managerGroupChatId) return 'ignored';
    const locale = this.groupLocale();
    if (!(await this.d.managers.isManager(from.id))) {
      this.d.logger.warn(
        { user: from.id, thread: threadId },
        'a non-manager wrote in a ticket topic; not forwarded',
      );
      await this.safeTopicPost(chatId, threadId, this.t(locale, 'support-not-a-manager'));
      return 'refused';
    }
    const ticket = await this.d.tickets.byTopic(chatId, threadId);
    if (!ticket) return 'unknown_topic';
    if (ticket.status === 'closed') {
      await this.safeTopicPost(
        chatId,
        threadId,
        this.t(locale, 'support-topic-ticket-closed', { ticket: ticket.id }),
      );
      return 'ticket_closed';
    }
    let current = ticket;
    if (ticket.status === 'waiting_manager') {
      current = await this.d.tickets.transition(ticket.id, 'with_manager', `manager:${from.id}`, {
        managerId: from.id,
      });
      this.d.hub.publish(ticket.customerId, { type: 'ticket', ticket: this.ticketView(current) });
    }
    const text = (input.text ?? '').trim();
    const message = await this.d.tickets.addMessage(ticket.id, {
      author: 'manager',
      authorId: from.id,
      authorName: from.name,
      channel: 'topic',
      text: text || this.t(this.localeOf(ticket.customerLanguage), 'support-manager-sent-file'),
    });
    if (text) {
      await this.toCustomer(current, message);
    } else {
      // Media: Telegram copies it into the customer's bot chat; the web app shows a notice.
      this.d.hub.publish(ticket.customerId, {
        type: 'message',
        message: this.messageView(message, ticket.customerId),
      });
      await this.d.telegram
        .copyMessage(ticket.customerChatId, input.telegram.chatId, input.telegram.messageId)
        .catch((err) =>
          this.d.logger.warn({ err, ticket: ticket.id }, 'could not copy a manager file to the customer'),
        );
    }
    return 'forwarded';
  }

  /** /close or the close button in a topic. */
  async closeFromTopic(
    chatId: number,
    threadId: number,
    from: { id: number },
  ): Promise<ManagerMessageOutcome> {
    if (chatId !== this.d.config.managerGroupChatId) return 'ignored';
    if (!(await this.d.managers.isManager(from.id))) {
      await this.safeTopicPost(chatId, threadId, this.t(this.groupLocale(), 'support-not-a-manager'));
      return 'refused';
    }
    const ticket = await this.d.tickets.byTopic(chatId, threadId);
    if (!ticket) return 'unknown_topic';
    if (ticket.status === 'closed') return 'ticket_closed';
    await this.closeTicket(ticket.id, 'manager', from.id);
    return 'forwarded';
  }

  /** Closes a ticket from any side: closes its topic, tells the customer and asks for a rating. */
  async closeTicket(
    ticketId: number,
    by: 'customer' | 'manager' | 'system',
    actorId: number | null,
    via?: Channel,
  ): Promise<Ticket> {
    const closed = await this.d.tickets.transition(ticketId, 'closed', `${by}:${actorId ?? ''}`, {
      closedBy: by,
    });
    const groupLocale = this.groupLocale();
    if (closed.topicChatId && closed.topicThreadId) {
      const key = by === 'customer' ? 'support-topic-closed-by-customer' : 'support-topic-closed';
      await this.safeTopicPost(
        closed.topicChatId,
        closed.topicThreadId,
        this.t(groupLocale, key, { ticket: closed.id }),
      );
      await this.d.telegram.closeForumTopic(closed.topicChatId, closed.topicThreadId).catch((err) => {
        this.d.logger.warn({ err, ticket: closed.id }, 'could not close the ticket topic');
      });
    }
    this.d.hub.publish(closed.customerId, { type: 'ticket', ticket: this.ticketView(closed) });
    const locale = this.localeOf(closed.customerLanguage);
    await this.systemToCustomer(
      closed,
      by === 'customer' ? 'support-closed-by-you' : 'support-closed-by-manager',
      {
        via,
        buttons: this.customerButtons(locale, 'rating', closed.id),
      },
    );
    await this.d.events.emit('support.ticket.closed', {
      ticketId: closed.id,
      customerId: closed.customerId,
      closedBy: by,
      aiResolved: closed.handoffAt === null,
      resolutionSeconds: resolutionSeconds(closed),
      firstResponseSeconds: firstResponseSeconds(closed),
    });
    return closed;
  }

  // ---- the manager group -----------------------------------------------------------------

  status(): ManagerGroupStatus {
    return { ...this.groupStatus };
  }

  /** Checks that the manager group exists, is a forum and lets the bot manage topics. */
  async checkManagerGroup(): Promise<ManagerGroupStatus> {
    const chatId = this.d.config.managerGroupChatId;
    if (chatId === undefined) {
      await this.setGroupProblem(
        'not_configured',
        'MANAGER_GROUP_CHAT_ID is not set: handoffs cannot reach managers',
      );
      return this.status();
    }
    try {
      await this.d.telegram.checkForumRights(chatId);
      this.groupStatus = { state: 'ok', checkedAt: new Date().toISOString() };
      this.lastAdminAlert = '';
    } catch (err) {
      await this.setGroupProblem('error', err instanceof Error ? err.message : String(err));
    }
    return this.status();
  }

  private async setGroupProblem(state: 'not_configured' | 'error', message: string): Promise<void> {
    this.groupStatus = { state, message, checkedAt: new Date().toISOString() };
    this.d.logger[state === 'not_configured' ? 'warn' : 'error'](
      { managerGroupChatId: this.d.config.managerGroupChatId, problem: message },
      'manager group problem',
    );
    const adminId = this.d.config.adminUserId;
    if (adminId === undefined || this.lastAdminAlert === message) return;
    this.lastAdminAlert = message;
    try {
      await this.d.telegram.sendMessage(
        adminId,
        this.t(this.groupLocale(), 'support-admin-group-problem', { problem: message }),
      );
    } catch (err) {
      this.d.logger.warn({ err }, 'could not alert the support admin');
    }
  }

  /**
   * The ticket's topic, creating it (with the customer's info and the conversation so far)
   * when missing. Null when the manager group is unusable (the admin is alerted).
   */
  private async ensureTopic(ticket: Ticket): Promise<Ticket | null> {
    if (ticket.topicThreadId && ticket.topicChatId) return ticket;
    const created = await this.createTopic(ticket);
    if (created) await this.postTopicIntro(created);
    return created;
  }

  private async createTopic(ticket: Ticket): Promise<Ticket | null> {
    const chatId = this.d.config.managerGroupChatId;
    if (chatId === undefined) {
      await this.setGroupProblem(
        'not_configured',
        'MANAGER_GROUP_CHAT_ID is not set: handoffs cannot reach managers',
      );
      return null;
    }
    let threadId: number;
    try {
      threadId = await this.d.telegram.createForumTopic(
        chatId,
        `#${ticket.id} ${ticket.customerName}`.slice(0, 128),
      );
    } catch (err) {
      await this.setGroupProblem('error', err instanceof Error ? err.message : String(err));
      return null;
    }
    if (this.groupStatus.state !== 'ok') {
      this.groupStatus = { state: 'ok', checkedAt: new Date().toISOString() };
      this.lastAdminAlert = '';
    }
    await this.d.tickets.setTopic(ticket.id, { chatId, threadId });
    return { ...ticket, topicChatId: chatId, topicThreadId: threadId };
  }

  /** The customer's info with a close button, the conversation so far and its files, in as few messages as fit. */
  private async postTopicIntro(ticket: Ticket): Promise<void> {
    const chatId = ticket.topicChatId!;
    const threadId = ticket.topicThreadId!;
    const locale = this.groupLocale();
    const info = this.t(locale, 'support-topic-customer-info', {
      ticket: ticket.id,
      name: ticket.customerName,
      username: ticket.customerUsername ? `@${ticket.customerUsername}` : '—',
      id: ticket.customerId,
      language: ticket.customerLanguage ?? '—',
      channel: ticket.channel,
    });
    const messages = await this.d.tickets.messages(ticket.id);
    const chunks = this.transcriptChunks(messages, locale);
    const first = `${info}\n\n${chunks[0]}`;
    const rest = first.length <= TRANSCRIPT_CHUNK ? chunks.slice(1) : chunks;
    try {
      await this.d.telegram.sendMessage(chatId, first.length <= TRANSCRIPT_CHUNK ? first : info, {
        threadId,
        buttons: [
          [
            {
              text: this.t(locale, 'support-button-close-ticket'),
              callbackData: `support:close:${ticket.id}`,
            },
          ],
        ],
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

  transcriptChunks(messages: SupportMessage[], locale: string): string[] {
    const lines = messages.map((m) => {
      const who =
        m.author === 'customer'
          ? this.t(locale, 'support-transcript-customer')
          : m.author === 'ai'
            ? this.t(locale, 'support-transcript-ai')
            : m.author === 'manager'
              ? (m.authorName ?? this.t(locale, 'support-transcript-manager'))
              : this.t(locale, 'support-transcript-system');
      const time = m.createdAt.toISOString().slice(11, 16);
      const file = m.file ? ` [${m.file.name}]` : '';
      return `${time} ${who}: ${m.text}${file}`;
    });
    const header = this.t(locale, 'support-transcript-title');
    const chunks: string[] = [];
    let current = header;
    for (const line of lines) {
      const piece = line.length > TRANSCRIPT_CHUNK ? `${line.slice(0, TRANSCRIPT_CHUNK)}…` : line;
      if (current.length + piece.length + 1 > TRANSCRIPT_CHUNK) {
        chunks.push(current);
        current = piece;
      } else current = `${current}\n${piece}`;
    }
    chunks.push(current);
    return chunks;
  }

  /** Sends one customer message to the ticket's topic, re-creating the topic if it was deleted. */
  private async forwardToTopic(
    ticket: Ticket,
    message: SupportMessage,
    ref?: TelegramMessageRef,
  ): Promise<boolean> {
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
        if (err instanceof ManagerGroupError) await this.setGroupProblem('error', err.message);
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

  private async postCustomerMessage(ticket: Ticket, message: SupportMessage, ref?: TelegramMessageRef) {
    const chatId = ticket.topicChatId!;
    const threadId = ticket.topicThreadId!;
    const locale = this.groupLocale();
    if (ref) {
      // A photo or document sent in the bot chat: copied as is (its caption included).
      await this.d.telegram.sendMessage(
        chatId,
        this.t(locale, 'support-customer-file', { name: ticket.customerName }),
        {
          threadId,
        },
      );
      await this.d.telegram.copyMessage(chatId, ref.chatId, ref.messageId, { threadId });
      return;
    }
    if (message.text) {
      await this.d.telegram.sendMessage(
        chatId,
        this.t(locale, 'support-customer-says', { name: ticket.customerName, text: message.text }),
        {
          threadId,
        },
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
        caption: this.t(this.groupLocale(), 'support-customer-file', { name: ticket.customerName }),
      },
    );
  }

  private async safeTopicPost(chatId: number, threadId: number, text: string) {
    try {
      await this.d.telegram.sendMessage(chatId, text, { threadId });
    } catch (err) {
      this.d.logger.warn({ err, threadId }, 'could not post in the topic');
    }
  }
}
