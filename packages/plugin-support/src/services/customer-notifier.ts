import type { Logger } from 'pino';
import type { DeskPresenter } from './desk-presenter.js';
import type { ButtonRows, CustomerKeyboards, RealtimeHub, TelegramPort } from './ports.js';
import type { Channel, SupportMessage, Ticket, TicketService } from './ticket-service.js';

export interface CustomerNotifierDeps {
  tickets: TicketService;
  telegram: TelegramPort;
  hub: RealtimeHub;
  presenter: DeskPresenter;
  /** Without it, old buttons stay visible (a press on them is still checked). */
  keyboards?: CustomerKeyboards;
  logger: Logger;
}

/**
 * Reaches the customer wherever they are: the web app when it is open, the bot chat
 * otherwise (or the channel asked for). A failed bot chat delivery is logged, not thrown.
 */
export class CustomerNotifier {
  constructor(private readonly d: CustomerNotifierDeps) {}

  /** The web app shows the ticket's new state. */
  ticketChanged(ticket: Ticket): void {
    this.d.hub.publish(ticket.customerId, { type: 'ticket', ticket: this.d.presenter.ticketView(ticket) });
  }

  /** The web app shows a stored message (the bot chat is not touched). */
  messageStored(customerId: number, message: SupportMessage): void {
    this.d.hub.publish(customerId, {
      type: 'message',
      message: this.d.presenter.messageView(message, customerId),
    });
  }

  /**
   * Stores nothing: sends a stored message to the customer. The web app (if open) always gets
   * it; the bot chat gets it when `via` is 'bot', or, without `via`, when no web app is open.
   * Buttons that `supersede` act on the open ticket: they replace the customer's older ones.
   */
  async deliver(
    ticket: Ticket,
    message: SupportMessage,
    options: { via?: Channel; buttons?: ButtonRows; supersede?: boolean } = {},
  ): Promise<void> {
    this.messageStored(ticket.customerId, message);
    const viaBot = options.via ? options.via === 'bot' : !(await this.d.hub.isConnected(ticket.customerId));
    if (!viaBot) return;
    const text = this.d.presenter.customerChatText(message, this.d.presenter.customerLocale(ticket));
    if (options.supersede) await this.retireButtons(ticket);
    try {
      const messageId = await this.d.telegram.sendMessage(ticket.customerChatId, text, {
        buttons: options.buttons,
      });
      if (options.supersede && typeof messageId === 'number') {
        await this.d.keyboards?.remember(ticket.customerId, { chatId: ticket.customerChatId, messageId });
      }
    } catch (err) {
      this.d.logger.warn({ err, ticket: ticket.id }, 'could not deliver a message to the customer bot chat');
    }
  }

  /** Removes the buttons that act on the customer's ticket (it was handed off, closed or answered anew). */
  async retireButtons(ticket: Ticket): Promise<void> {
    await this.d.keyboards?.retireAll(ticket.customerId).catch((err) => {
      this.d.logger.warn({ err, ticket: ticket.id }, 'could not remove old buttons in the customer bot chat');
    });
  }

  /** Stores a system message (a translated text) in the ticket and delivers it. */
  async system(
    ticket: Ticket,
    key: string,
    options: {
      via?: Channel;
      buttons?: ButtonRows;
      /** The buttons act on the open ticket: they replace the customer's older ones. */
      supersede?: boolean;
      offer?: boolean;
      vars?: Record<string, string | number>;
    } = {},
  ): Promise<SupportMessage> {
    const locale = this.d.presenter.customerLocale(ticket);
    const message = await this.d.tickets.addMessage(ticket.id, {
      author: 'system',
      channel: 'system',
      text: this.d.presenter.t(locale, key, { ticket: ticket.id, ...options.vars }),
      offer: options.offer,
    });
    await this.deliver(ticket, message, options);
    return message;
  }
}
