import type { EventBus } from '@botloom/core';
import type { CustomerNotifier } from './customer-notifier.js';
import type { DeskPresenter } from './desk-presenter.js';
import type { Ticket, TicketService } from './ticket-service.js';
import type { TopicRelay } from './topic-relay.js';

export interface TicketHandBackDeps {
  tickets: TicketService;
  relay: TopicRelay;
  notifier: CustomerNotifier;
  presenter: DeskPresenter;
  events: EventBus;
}

/** Who hands a ticket back: a manager in the ticket's topic, or an admin in the panel or API. */
export type HandBackActor =
  | { by: 'manager'; id: number; name: string }
  | { by: 'admin'; id: null; name: string };

/**
 * Returning a handed-off ticket to the assistant without closing it (from the topic or the
 * admin panel): the one place that does it. The ticket keeps its handoff time (it counts as
 * handed off in the statistics) and its topic, which stays open for a later handoff.
 */
export class TicketHandBack {
  constructor(private readonly d: TicketHandBackDeps) {}

  /** Throws `InvalidTransitionError` (409) unless the ticket is with or waiting for a manager. */
  async handBack(ticketId: number, actor: HandBackActor): Promise<Ticket> {
    const before = await this.d.tickets.require(ticketId);
    const ticket = await this.d.tickets.transition(ticketId, 'ai', `${actor.by}:${actor.id ?? actor.name}`);
    this.d.notifier.ticketChanged(ticket);
    const by =
      actor.by === 'manager'
        ? actor.name
        : this.d.presenter.t(this.d.presenter.groupLocale(), 'support-handed-back-by-admin', {
            name: actor.name,
          });
    await this.d.relay.handedBack(ticket, by);
    const locale = this.d.presenter.customerLocale(ticket);
    await this.d.notifier.system(ticket, 'support-handed-back', {
      buttons: this.d.presenter.offerButtons(locale, ticket.id),
      supersede: true,
    });
    await this.d.events.emit('support.handback', {
      ticketId: ticket.id,
      customerId: ticket.customerId,
      from: before.status === 'with_manager' ? 'with_manager' : 'waiting_manager',
      by: actor.by,
      actorId: actor.id,
    });
    return ticket;
  }
}
