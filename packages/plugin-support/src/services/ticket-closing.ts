import type { EventBus } from '@botloom/core';
import type { CustomerNotifier } from './customer-notifier.js';
import type { DeskPresenter } from './desk-presenter.js';
import type { Channel, Ticket, TicketService } from './ticket-service.js';
import { firstResponseSeconds, resolutionSeconds } from './ticket-state.js';
import type { TopicRelay } from './topic-relay.js';

export interface TicketClosingDeps {
  tickets: TicketService;
  relay: TopicRelay;
  notifier: CustomerNotifier;
  presenter: DeskPresenter;
  events: EventBus;
}

/** Closing a ticket from any side (customer, manager, admin): the one place that does it. */
export class TicketClosing {
  constructor(private readonly d: TicketClosingDeps) {}

  /** Closes the ticket and its topic, tells the customer and asks for a rating. */
  async close(
    ticketId: number,
    by: 'customer' | 'manager' | 'system',
    actorId: number | null,
    via?: Channel,
  ): Promise<Ticket> {
    const closed = await this.d.tickets.transition(ticketId, 'closed', `${by}:${actorId ?? ''}`, {
      closedBy: by,
    });
    await this.d.relay.closeTopic(closed, by);
    this.d.notifier.ticketChanged(closed);
    await this.d.notifier.retireButtons(closed);
    await this.d.notifier.system(
      closed,
      by === 'customer' ? 'support-closed-by-you' : 'support-closed-by-manager',
      { via, buttons: this.d.presenter.ratingButtons(closed.id) },
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
}
