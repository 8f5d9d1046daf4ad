import type { Logger } from 'pino';
import type { CustomerNotifier } from './customer-notifier.js';
import type { DeskPresenter } from './desk-presenter.js';
import { InvalidTransitionError } from './errors.js';
import type { ManagerService } from './manager-service.js';
import type { TelegramMessageRef, TelegramPort } from './ports.js';
import type { TicketClosing } from './ticket-closing.js';
import type { TicketHandBack } from './ticket-handback.js';
import type { TicketService } from './ticket-service.js';
import type { TopicRelay } from './topic-relay.js';

export type ManagerMessageOutcome =
  | 'forwarded'
  | 'refused'
  | 'unknown_topic'
  | 'ticket_closed'
  /** The ticket was handed back to the assistant: the manager's message did not go out. */
  | 'with_assistant'
  | 'ignored';

export interface ManagerDeskDeps {
  tickets: TicketService;
  managers: ManagerService;
  telegram: TelegramPort;
  notifier: CustomerNotifier;
  relay: TopicRelay;
  closing: TicketClosing;
  handBack: TicketHandBack;
  presenter: DeskPresenter;
  /** The manager group in use (the setting, or what the app wired). */
  groupChatId: () => number | undefined;
  logger: Logger;
}

/**
 * What managers do in the topics of the manager group: answer the customer (the first answer
 * takes the ticket), hand the ticket back to the assistant and close it. Only registered
 * managers act; others are refused.
 */
export class ManagerDesk {
  constructor(private readonly d: ManagerDeskDeps) {}

  /** A message in a topic of the manager group. */
  async managerMessage(
    chatId: number,
    threadId: number,
    from: { id: number; name: string },
    input: { text?: string; telegram: TelegramMessageRef },
  ): Promise<ManagerMessageOutcome> {
    if (chatId !== this.d.groupChatId()) return 'ignored';
    const { presenter } = this.d;
    const locale = presenter.groupLocale();
    if (!(await this.d.managers.isManager(from.id))) {
      this.d.logger.warn(
        { user: from.id, thread: threadId },
        'a non-manager wrote in a ticket topic; not forwarded',
      );
      await this.d.relay.post(chatId, threadId, presenter.t(locale, 'support-not-a-manager'));
      return 'refused';
    }
    const ticket = await this.d.tickets.byTopic(chatId, threadId);
    if (!ticket) return 'unknown_topic';
    if (ticket.status === 'closed') {
      await this.d.relay.post(
        chatId,
        threadId,
        presenter.t(locale, 'support-topic-ticket-closed', { ticket: ticket.id }),
      );
      return 'ticket_closed';
    }
    if (ticket.status === 'ai') {
      // Handed back: the assistant answers until the customer calls a manager again.
      await this.d.relay.post(
        chatId,
        threadId,
        presenter.t(locale, 'support-topic-ticket-with-assistant', { ticket: ticket.id }),
      );
      return 'with_assistant';
    }
    let current = ticket;
    if (ticket.status === 'waiting_manager') {
      current = await this.d.tickets.transition(ticket.id, 'with_manager', `manager:${from.id}`, {
        managerId: from.id,
      });
      this.d.notifier.ticketChanged(current);
    }
    const text = (input.text ?? '').trim();
    const message = await this.d.tickets.addMessage(ticket.id, {
      author: 'manager',
      authorId: from.id,
      authorName: from.name,
      channel: 'topic',
      text: text || presenter.t(presenter.customerLocale(ticket), 'support-manager-sent-file'),
    });
    if (text) {
      await this.d.notifier.deliver(current, message);
    } else {
      // Media: Telegram copies it into the customer's bot chat; the web app shows a notice.
      this.d.notifier.messageStored(ticket.customerId, message);
      await this.d.telegram
        .copyMessage(ticket.customerChatId, input.telegram.chatId, input.telegram.messageId)
        .catch((err) =>
          this.d.logger.warn({ err, ticket: ticket.id }, 'could not copy a manager file to the customer'),
        );
    }
    return 'forwarded';
  }

  /** /bot (or /ai) or the hand-back button in a topic: the assistant answers the customer again. */
  async handBackFromTopic(
    chatId: number,
    threadId: number,
    from: { id: number; name: string },
  ): Promise<ManagerMessageOutcome> {
    if (chatId !== this.d.groupChatId()) return 'ignored';
    const locale = this.d.presenter.groupLocale();
    if (!(await this.d.managers.isManager(from.id))) {
      await this.d.relay.post(chatId, threadId, this.d.presenter.t(locale, 'support-not-a-manager'));
      return 'refused';
    }
    const ticket = await this.d.tickets.byTopic(chatId, threadId);
    if (!ticket) return 'unknown_topic';
    if (ticket.status === 'closed') return 'ticket_closed';
    if (ticket.status === 'ai') {
      await this.d.relay.post(
        chatId,
        threadId,
        this.d.presenter.t(locale, 'support-topic-already-with-assistant', { ticket: ticket.id }),
      );
      return 'with_assistant';
    }
    try {
      await this.d.handBack.handBack(ticket.id, { by: 'manager', id: from.id, name: from.name });
    } catch (err) {
      // Another manager (or the customer, or an admin) changed the ticket a moment earlier.
      if (!(err instanceof InvalidTransitionError)) throw err;
      const now = await this.d.tickets.get(ticket.id);
      return now?.status === 'closed' ? 'ticket_closed' : 'with_assistant';
    }
    return 'forwarded';
  }

  /** /close or the close button in a topic. */
  async closeFromTopic(
    chatId: number,
    threadId: number,
    from: { id: number },
  ): Promise<ManagerMessageOutcome> {
    if (chatId !== this.d.groupChatId()) return 'ignored';
    if (!(await this.d.managers.isManager(from.id))) {
      await this.d.relay.post(
        chatId,
        threadId,
        this.d.presenter.t(this.d.presenter.groupLocale(), 'support-not-a-manager'),
      );
      return 'refused';
    }
    const ticket = await this.d.tickets.byTopic(chatId, threadId);
    if (!ticket) return 'unknown_topic';
    if (ticket.status === 'closed') return 'ticket_closed';
    await this.d.closing.close(ticket.id, 'manager', from.id);
    return 'forwarded';
  }
}
