import type { Logger } from 'pino';
import type { CustomerKeyboards, TelegramPort } from './ports.js';
import type { TicketService } from './ticket-service.js';

export interface CustomerDataDeps {
  tickets: TicketService;
  telegram: TelegramPort;
  keyboards?: CustomerKeyboards;
  logger: Logger;
}

/**
 * Erases what the desk keeps about one customer (their /delete_my_data): every ticket with its
 * messages and events, the forum topics in the manager group that hold copies of their
 * messages, and the remembered ticket buttons in their chat. Managers' own records (the
 * managers list) are staff data and stay.
 */
export class CustomerData {
  constructor(private readonly d: CustomerDataDeps) {}

  async erase(customerId: number): Promise<{ tickets: number }> {
    // Buttons first: once the tickets are gone, nothing could say which messages had them.
    await this.d.keyboards
      ?.retireAll(customerId)
      .catch((err) => this.d.logger.warn({ err }, 'ticket buttons not removed before erasure'));
    const deleted = await this.d.tickets.deleteAllOf(customerId);
    for (const ticket of deleted) {
      if (!ticket.topicChatId || !ticket.topicThreadId) continue;
      // A topic left behind would keep the customer's words in the manager group.
      await this.d.telegram
        .deleteForumTopic(ticket.topicChatId, ticket.topicThreadId)
        .catch((err) =>
          this.d.logger.warn({ err, ticket: ticket.id }, 'the ticket topic could not be deleted'),
        );
    }
    return { tickets: deleted.length };
  }
}
