import type { ChatMessage, EventBus } from '@botloom/core';
import type { Logger } from 'pino';
import type { SupportConfig } from '../config.js';
import type { AnswerResult, AnswerService } from './answer-service.js';
import type { CustomerNotifier } from './customer-notifier.js';
import type { DeskPresenter } from './desk-presenter.js';
import { SupportError } from './errors.js';
import type { KnowledgePassage } from './knowledge-service.js';
import type {
  MessageView,
  PendingQuestion,
  PendingQuestions,
  TelegramMessageRef,
  TicketView,
} from './ports.js';
import { writtenLanguage } from './small-talk.js';
import type { TicketClosing } from './ticket-closing.js';
import type { AttachedFile, Channel, CustomerInfo, Ticket, TicketService } from './ticket-service.js';
import { isHandedOff } from './ticket-state.js';
import type { TopicRelay } from './topic-relay.js';

export interface CustomerDeskDeps {
  tickets: TicketService;
  answers: AnswerService;
  notifier: CustomerNotifier;
  relay: TopicRelay;
  closing: TicketClosing;
  /** Without it, a question asked during a model outage waits for the customer to ask again. */
  pending?: PendingQuestions;
  presenter: DeskPresenter;
  events: EventBus;
  config: SupportConfig;
  logger: Logger;
}

export interface CustomerInput {
  text?: string;
  file?: AttachedFile;
  /** A photo or document in the bot chat, copied to the topic as is. */
  media?: { label: string; ref: TelegramMessageRef };
}

/**
 * What customers do, in the bot chat or the web app: ask (the assistant answers while the
 * ticket is in `ai`, the manager's topic gets it after a handoff), call a manager, say the
 * question is solved, rate a closed ticket, read their history.
 */
export class CustomerDesk {
  constructor(private readonly d: CustomerDeskDeps) {}

  /** A customer wrote (text and/or a file). Returns the ticket it went to. */
  async customerMessage(customer: CustomerInfo, channel: Channel, input: CustomerInput): Promise<Ticket> {
    const { presenter } = this.d;
    const text = (input.text ?? '').trim();
    const locale = presenter.localeOf(customer.language);
    if (text.length > this.d.config.maxMessageChars) {
      throw new SupportError(
        'MESSAGE_TOO_LONG',
        presenter.t(locale, 'support-message-too-long', { max: this.d.config.maxMessageChars }),
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
    this.d.notifier.messageStored(customer.id, stored);

    if (isHandedOff(ticket.status)) {
      // The first message after a handoff is acknowledged; later ones are not (no echo per message).
      const first = (await this.d.tickets.customerMessagesSinceHandoff(ticket.id)) === 1;
      const delivered = await this.d.relay.forward(ticket, stored, input.media?.ref);
      if (!delivered) await this.d.notifier.system(ticket, 'support-handoff-queued', { via: channel });
      else if (first) await this.d.notifier.system(ticket, 'support-sent-to-manager', { via: channel });
      return ticket;
    }

    if (!text || input.file || input.media) {
      // The assistant cannot read files: offer a manager instead.
      await this.aiReply(ticket, channel, presenter.t(locale, 'support-file-needs-manager'), { offer: true });
      return ticket;
    }

    const history = await this.historyForModel(ticket.id, stored.id);
    const answer = await this.d.answers.answer(text, history, String(customer.id));
    ticket = (await this.d.tickets.get(ticket.id)) ?? ticket;
    if (answer.kind === 'cannot_answer' && answer.reason === 'model_unavailable') {
      // Said at once, with a manager on offer; the question is tried again when the model is back.
      this.d.logger.warn({ ticket: ticket.id }, 'the model is unavailable: a manager is offered');
      await this.aiReply(ticket, channel, presenter.t(locale, 'support-model-unavailable'), { offer: true });
      await this.d.pending?.retryLater({ ticketId: ticket.id, messageId: stored.id, attempt: 1 });
      return ticket;
    }
    await this.replyWith(ticket, channel, answer, text);
    return ticket;
  }

  /**
   * Another try at a question asked while the model was unavailable. Nothing happens when the
   * customer moved on (a manager took the ticket, it closed, or a newer question came); while
   * the model is still unavailable it is tried again later, and after the last try the ticket
   * goes to a manager.
   */
  async answerPending(
    q: PendingQuestion,
  ): Promise<'answered' | 'declined' | 'moved_on' | 'waiting' | 'handed_off'> {
    const ticket = await this.d.tickets.get(q.ticketId);
    if (ticket?.status !== 'ai') return 'moved_on';
    if ((await this.d.tickets.lastMessageId(ticket.id, ['customer'])) !== q.messageId) return 'moved_on';
    const question = await this.d.tickets.message(ticket.id, q.messageId);
    if (!question?.text) return 'moved_on';
    const history = await this.historyForModel(ticket.id, q.messageId);
    const answer = await this.d.answers.answer(question.text, history, String(ticket.customerId));
    const current = await this.d.tickets.get(ticket.id);
    if (current?.status !== 'ai') return 'moved_on';
    if (answer.kind === 'cannot_answer' && answer.reason === 'model_unavailable') {
      if (q.attempt < this.d.config.outageRetryAttempts && this.d.pending) {
        await this.d.pending.retryLater({ ...q, attempt: q.attempt + 1 });
        return 'waiting';
      }
      this.d.logger.warn(
        { ticket: current.id },
        'the model stayed unavailable: the question goes to a manager',
      );
      await this.d.notifier.system(current, 'support-model-still-unavailable');
      await this.callManager(customerOfTicket(current), current.channel);
      return 'handed_off';
    }
    await this.replyWith(current, undefined, answer, question.text);
    return answer.kind === 'answer' ? 'answered' : 'declined';
  }

  /** The assistant's reply to an answer result (not `model_unavailable`). */
  private async replyWith(ticket: Ticket, via: Channel | undefined, answer: AnswerResult, question: string) {
    if (answer.kind === 'small_talk') {
      const locale = this.d.presenter.localeOf(
        writtenLanguage(question, this.d.presenter.customerLocale(ticket)),
      );
      await this.aiReply(ticket, via, this.d.presenter.t(locale, `support-smalltalk-${answer.intent}`), {
        buttons: false,
      });
      return;
    }
    if (answer.kind === 'answer') {
      await this.aiReply(ticket, via, answer.text, {
        knowledge: answer.passages,
        confidence: answer.confidence,
      });
      return;
    }
    this.d.logger.info(
      { ticket: ticket.id, reason: answer.reason, confidence: answer.confidence },
      'assistant offers a manager',
    );
    const locale = this.d.presenter.customerLocale(ticket);
    const key = answer.reason === 'live_data' ? 'support-live-data' : 'support-cannot-answer';
    await this.aiReply(ticket, via, this.d.presenter.t(locale, key), {
      offer: true,
      confidence: answer.confidence,
    });
  }

  /** The customer asks for a person. */
  async callManager(customer: CustomerInfo, channel: Channel): Promise<Ticket> {
    const ticket = await this.openTicket(customer, channel);
    if (ticket.status !== 'ai') {
      await this.d.notifier.system(ticket, 'support-handoff-already', { via: channel });
      return ticket;
    }
    // Handed back to the assistant earlier: the topic it kept gets the conversation since then.
    const handedBackAt = ticket.handoffAt ? await this.d.tickets.lastHandBackAt(ticket.id) : null;
    const updated = await this.d.tickets.transition(ticket.id, 'waiting_manager', `customer:${customer.id}`);
    this.d.notifier.ticketChanged(updated);
    await this.d.notifier.retireButtons(updated);
    await this.d.events.emit('support.handoff', {
      ticketId: updated.id,
      customerId: updated.customerId,
      channel,
    });
    if (ticket.handoffAt) {
      const again = await this.d.relay.handoffAgain(updated, handedBackAt);
      await this.d.notifier.system(updated, again ? 'support-handoff-started' : 'support-handoff-queued', {
        via: channel,
      });
      return again ?? updated;
    }
    // The customer hears back as soon as the topic exists; the history is posted after.
    const withTopic = await this.d.relay.createTopic(updated);
    await this.d.notifier.system(updated, withTopic ? 'support-handoff-started' : 'support-handoff-queued', {
      via: channel,
    });
    if (withTopic) await this.d.relay.postIntro(withTopic);
    return withTopic ?? updated;
  }

  /** The customer says the question is solved: the ticket closes and a rating is asked. */
  async satisfied(customer: CustomerInfo, channel: Channel): Promise<Ticket | null> {
    const ticket = await this.d.tickets.openTicketOf(customer.id);
    if (!ticket) return null;
    return this.d.closing.close(ticket.id, 'customer', customer.id, channel);
  }

  /**
   * Whether a "Call a manager" button of ticket `ticketId` still applies (null: a button from
   * before buttons carried their ticket): that ticket is open and still with the assistant.
   */
  async callManagerButtonApplies(customerId: number, ticketId: number | null): Promise<boolean> {
    const open = await this.d.tickets.openTicketOf(customerId);
    return open !== null && open.id === ticketId && open.status === 'ai';
  }

  /**
   * Whether an "I'm satisfied" button under answer `answerId` of ticket `ticketId` still
   * applies: no manager is involved and that answer is the ticket's latest word (no newer
   * question or answer).
   */
  async satisfiedButtonApplies(
    customerId: number,
    ticketId: number | null,
    answerId: number | null,
  ): Promise<boolean> {
    if (!(await this.callManagerButtonApplies(customerId, ticketId)) || answerId === null) return false;
    return (await this.d.tickets.lastConversationMessageId(ticketId!)) === answerId;
  }

  async rate(customerId: number, ticketId: number, rating: number): Promise<boolean> {
    const ok = await this.d.tickets.rate(ticketId, customerId, rating);
    if (ok) {
      this.d.notifier.ticketChanged(await this.d.tickets.require(ticketId));
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
      ticket: this.d.presenter.ticketView(ticket),
      messages: messages.map((m) => this.d.presenter.messageView(m, customerId)),
    };
  }

  private async openTicket(customer: CustomerInfo, channel: Channel): Promise<Ticket> {
    const { ticket, opened } = await this.d.tickets.openOrContinue(customer, channel);
    if (opened) {
      await this.d.events.emit('support.ticket.opened', {
        ticketId: ticket.id,
        customerId: ticket.customerId,
        channel,
      });
      this.d.notifier.ticketChanged(ticket);
    }
    return ticket;
  }

  /** `channel` undefined: the web app when it is open, the bot chat otherwise. */
  private async aiReply(
    ticket: Ticket,
    channel: Channel | undefined,
    text: string,
    extra: {
      offer?: boolean;
      knowledge?: KnowledgePassage[];
      confidence?: number;
      /** false: a plain reply (small talk) without the satisfied / call-a-manager buttons. */
      buttons?: false;
    },
  ) {
    const locale = this.d.presenter.customerLocale(ticket);
    const message = await this.d.tickets.addMessage(ticket.id, {
      author: 'ai',
      channel: 'system',
      text,
      knowledge: extra.knowledge ?? null,
      confidence: extra.confidence ?? null,
      offer: extra.offer ?? false,
    });
    await this.d.notifier.deliver(ticket, message, {
      via: channel,
      buttons:
        extra.buttons === false
          ? undefined
          : extra.offer
            ? this.d.presenter.offerButtons(locale, ticket.id)
            : this.d.presenter.answerButtons(locale, ticket.id, message.id),
      supersede: true,
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
}

function customerOfTicket(ticket: Ticket): CustomerInfo {
  return {
    id: ticket.customerId,
    chatId: ticket.customerChatId,
    name: ticket.customerName,
    username: ticket.customerUsername ?? undefined,
    language: ticket.customerLanguage ?? undefined,
  };
}
