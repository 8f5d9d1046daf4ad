import type { Translator } from '@botloom/core';
import { callbackData } from './callback-data.js';
import type { ButtonRows, MessageView, TicketView } from './ports.js';
import type { SupportMessage, Ticket } from './ticket-service.js';

/** The longest text the desk puts in one Telegram message of a topic. */
export const TRANSCRIPT_CHUNK = 3500;

/**
 * What the desk shows: texts in the customer's or the manager group's language, the web
 * app's views of tickets and messages, inline keyboards. It sends nothing and stores nothing.
 */
export class DeskPresenter {
  constructor(
    private readonly translator: Translator,
    /** Signed download URL of a stored file for one customer (web app). */
    private readonly fileUrl: (fileId: string, customerId: number) => string,
  ) {}

  localeOf(language: string | null | undefined): string {
    const lang = (language ?? '').toLowerCase().split('-')[0] ?? '';
    return this.translator.locales.includes(lang) ? lang : this.translator.defaultLocale;
  }

  customerLocale(ticket: Ticket): string {
    return this.localeOf(ticket.customerLanguage);
  }

  /** The manager group speaks the bot's default language. */
  groupLocale(): string {
    return this.translator.defaultLocale;
  }

  /** Numbers are passed as strings: ids and ticket numbers must not get digit grouping. */
  t(locale: string, key: string, vars?: Record<string, string | number>): string {
    const plain = vars ? Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) : undefined;
    return this.translator.t(locale, key, plain);
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
      file: message.file ? { ...message.file, url: this.fileUrl(message.file.id, customerId) } : null,
      offer: message.offer,
      createdAt: message.createdAt.toISOString(),
    };
  }

  /** Under the assistant's offer of a manager. */
  offerButtons(locale: string, ticketId: number): ButtonRows {
    return [
      [{ text: this.t(locale, 'support-button-call-manager'), callbackData: callbackData.handoff(ticketId) }],
    ];
  }

  /** Under an answer of the assistant: they act only while it is the ticket's latest answer. */
  answerButtons(locale: string, ticketId: number, answerId: number): ButtonRows {
    return [
      [
        {
          text: this.t(locale, 'support-button-satisfied'),
          callbackData: callbackData.satisfied(ticketId, answerId),
        },
        { text: this.t(locale, 'support-button-call-manager'), callbackData: callbackData.handoff(ticketId) },
      ],
    ];
  }

  ratingButtons(ticketId: number): ButtonRows {
    return [[1, 2, 3, 4, 5].map((n) => ({ text: `${n} ⭐`, callbackData: callbackData.rate(ticketId, n) }))];
  }

  /** A stored message as the customer reads it in the bot chat. */
  customerChatText(message: SupportMessage, locale: string): string {
    return message.author === 'manager'
      ? this.t(locale, 'support-manager-says', { name: message.authorName ?? '', text: message.text })
      : message.text;
  }

  /** The first lines of a ticket's topic: who the customer is. */
  topicCustomerInfo(ticket: Ticket): string {
    const locale = this.groupLocale();
    // Only what is known: a customer without a username is shown by name (their id follows).
    const customer = ticket.customerUsername
      ? this.t(locale, 'support-topic-customer-with-username', {
          name: ticket.customerName,
          username: ticket.customerUsername,
        })
      : ticket.customerName;
    return this.t(locale, 'support-topic-customer-info', {
      ticket: ticket.id,
      customer,
      id: ticket.customerId,
      language: ticket.customerLanguage ?? this.t(locale, 'support-topic-language-unknown'),
      channel: this.t(locale, `support-topic-channel-${ticket.channel}`),
    });
  }

  /** Under the topic's intro (and the note of a new handoff): hand back to the assistant, close. */
  topicButtons(ticket: Ticket): ButtonRows {
    const locale = this.groupLocale();
    return [
      [
        { text: this.t(locale, 'support-button-hand-back'), callbackData: callbackData.handback(ticket.id) },
        { text: this.t(locale, 'support-button-close-ticket'), callbackData: callbackData.close(ticket.id) },
      ],
    ];
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
}
