import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { type MessageTextCodec, termsParam } from '../db/message-text.js';
import { SupportError, TicketNotFoundError } from './errors.js';
import type { KnowledgePassage } from './knowledge-service.js';
import { assertTransition, type TicketStatus } from './ticket-state.js';

export type Channel = 'bot' | 'webapp';
export type MessageAuthor = 'customer' | 'ai' | 'manager' | 'system';

export interface CustomerInfo {
  id: number;
  /** Private chat of the customer with the bot (the user id for private chats). */
  chatId: number;
  name: string;
  username?: string;
  language?: string;
}

export interface Ticket {
  id: number;
  customerId: number;
  customerChatId: number;
  customerName: string;
  customerUsername: string | null;
  customerLanguage: string | null;
  status: TicketStatus;
  channel: Channel;
  topicChatId: number | null;
  topicThreadId: number | null;
  managerId: number | null;
  openedAt: Date;
  handoffAt: Date | null;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  closedBy: 'customer' | 'manager' | 'system' | null;
  rating: number | null;
  ratedAt: Date | null;
}

export interface AttachedFile {
  id: string;
  name: string;
  type: string;
  size: number;
}

export interface KnowledgeRef {
  itemId: string;
  title: string;
  chunk: number;
  score: number;
}

export interface SupportMessage {
  id: number;
  ticketId: number;
  author: MessageAuthor;
  authorId: number | null;
  authorName: string | null;
  channel: Channel | 'topic' | 'system';
  text: string;
  file: AttachedFile | null;
  knowledge: KnowledgeRef[] | null;
  confidence: number | null;
  /** The assistant could not answer and offered a manager. */
  offer: boolean;
  createdAt: Date;
}

export interface NewMessage {
  author: MessageAuthor;
  authorId?: number | null;
  authorName?: string | null;
  channel: SupportMessage['channel'];
  text: string;
  file?: AttachedFile | null;
  knowledge?: KnowledgePassage[] | null;
  confidence?: number | null;
  offer?: boolean;
}

export interface TicketFilter {
  status?: TicketStatus;
  customerId?: number;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));
const num = (v: unknown): number | null => (v == null ? null : Number(v));

function toTicket(r: Record<string, unknown>): Ticket {
  return {
    id: Number(r.id),
    customerId: Number(r.customer_id),
    customerChatId: Number(r.customer_chat_id),
    customerName: String(r.customer_name),
    customerUsername: (r.customer_username as string | null) ?? null,
    customerLanguage: (r.customer_language as string | null) ?? null,
    status: r.status as TicketStatus,
    channel: r.channel as Channel,
    topicChatId: num(r.topic_chat_id),
    topicThreadId: num(r.topic_thread_id),
    managerId: num(r.manager_id),
    openedAt: new Date(r.opened_at as string),
    handoffAt: date(r.handoff_at),
    firstResponseAt: date(r.first_response_at),
    closedAt: date(r.closed_at),
    closedBy: (r.closed_by as Ticket['closedBy']) ?? null,
    rating: num(r.rating),
    ratedAt: date(r.rated_at),
  };
}

function toMessage(r: Record<string, unknown>, text: string): SupportMessage {
  return {
    id: Number(r.id),
    ticketId: Number(r.ticket_id),
    author: r.author as MessageAuthor,
    authorId: num(r.author_id),
    authorName: (r.author_name as string | null) ?? null,
    channel: r.channel as SupportMessage['channel'],
    text,
    file: r.file_id
      ? {
          id: String(r.file_id),
          name: String(r.file_name),
          type: String(r.file_type),
          size: Number(r.file_size),
        }
      : null,
    knowledge: (r.knowledge as KnowledgeRef[] | null) ?? null,
    confidence: num(r.confidence),
    offer: Boolean(r.offer),
    createdAt: new Date(r.created_at as string),
  };
}

/**
 * Tickets, their messages and state changes (tables support_tickets, support_messages,
 * support_ticket_events). Message text is encrypted at rest by `MessageTextCodec`, transparently.
 */
export class TicketService {
  constructor(
    private readonly db: Sequelize,
    private readonly text: MessageTextCodec,
  ) {}

  private rowToMessage = (r: Record<string, unknown>): SupportMessage => toMessage(r, this.text.open(r));

  async get(id: number): Promise<Ticket | null> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM support_tickets WHERE id = :id',
      {
        type: QueryTypes.SELECT,
        replacements: { id },
      },
    );
    return rows[0] ? toTicket(rows[0]) : null;
  }

  async require(id: number): Promise<Ticket> {
    const ticket = await this.get(id);
    if (!ticket) throw new TicketNotFoundError(id);
    return ticket;
  }

  /** The customer's ticket that is not closed, if any. */
  async openTicketOf(customerId: number): Promise<Ticket | null> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM support_tickets WHERE customer_id = :customerId AND status <> 'closed'`,
      { type: QueryTypes.SELECT, replacements: { customerId } },
    );
    return rows[0] ? toTicket(rows[0]) : null;
  }

  /** Every ticket of the customer, with its messages and events (erasure of their data). */
  async deleteAllOf(customerId: number): Promise<Ticket[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      'DELETE FROM support_tickets WHERE customer_id = :customerId RETURNING *',
      { type: QueryTypes.SELECT, replacements: { customerId } },
    );
    return rows.map(toTicket);
  }

  /** The customer's most recent ticket, open or closed. */
  async latestOf(customerId: number): Promise<Ticket | null> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM support_tickets WHERE customer_id = :customerId ORDER BY id DESC LIMIT 1',
      { type: QueryTypes.SELECT, replacements: { customerId } },
    );
    return rows[0] ? toTicket(rows[0]) : null;
  }

  async byTopic(chatId: number, threadId: number): Promise<Ticket | null> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM support_tickets WHERE topic_chat_id = :chatId AND topic_thread_id = :threadId',
      { type: QueryTypes.SELECT, replacements: { chatId, threadId } },
    );
    return rows[0] ? toTicket(rows[0]) : null;
  }

  /** The customer's open ticket, or a new one in state `ai`. `opened` tells which. */
  async openOrContinue(
    customer: CustomerInfo,
    channel: Channel,
  ): Promise<{ ticket: Ticket; opened: boolean }> {
    const existing = await this.openTicketOf(customer.id);
    if (existing) {
      if (existing.channel !== channel) await this.setChannel(existing.id, channel);
      return { ticket: { ...existing, channel }, opened: false };
    }
    try {
      const rows = await this.db.query<Record<string, unknown>>(
        `INSERT INTO support_tickets (customer_id, customer_chat_id, customer_name, customer_username, customer_language, status, channel)
         VALUES (:id, :chatId, :name, :username, :language, 'ai', :channel) RETURNING *`,
        {
          type: QueryTypes.SELECT,
          replacements: {
            id: customer.id,
            chatId: customer.chatId,
            name: customer.name.slice(0, 200),
            username: customer.username ?? null,
            language: customer.language ?? null,
            channel,
          },
        },
      );
      const ticket = toTicket(rows[0]!);
      await this.recordEvent(ticket.id, null, 'ai', `customer:${customer.id}`);
      return { ticket, opened: true };
    } catch (err) {
      // Two messages of one customer at once: the unique index lets one insert win.
      const again = await this.openTicketOf(customer.id);
      if (again) return { ticket: again, opened: false };
      throw err;
    }
  }

  async setChannel(id: number, channel: Channel): Promise<void> {
    await this.db.query('UPDATE support_tickets SET channel = :channel, updated_at = now() WHERE id = :id', {
      replacements: { id, channel },
    });
  }

  async setTopic(id: number, topic: { chatId: number; threadId: number } | null): Promise<void> {
    await this.db.query(
      'UPDATE support_tickets SET topic_chat_id = :chatId, topic_thread_id = :threadId, updated_at = now() WHERE id = :id',
      { replacements: { id, chatId: topic?.chatId ?? null, threadId: topic?.threadId ?? null } },
    );
  }

  /**
   * Moves a ticket to `to` (checked against the state machine, under a row lock) and stamps
   * the matching timestamp. Returns the updated ticket.
   */
  async transition(
    id: number,
    to: TicketStatus,
    actor: string,
    extra: { managerId?: number; closedBy?: Ticket['closedBy'] } = {},
  ): Promise<Ticket> {
    return this.db.transaction(async (transaction) => {
      const rows = await this.db.query<Record<string, unknown>>(
        'SELECT * FROM support_tickets WHERE id = :id FOR UPDATE',
        {
          type: QueryTypes.SELECT,
          replacements: { id },
          transaction,
        },
      );
      if (!rows[0]) throw new TicketNotFoundError(id);
      const current = toTicket(rows[0]);
      assertTransition(current.status, to);
      const stamp =
        // A handoff after a hand-back is a new wait: its first response is measured anew.
        to === 'waiting_manager'
          ? ', handoff_at = now(), first_response_at = NULL, manager_id = NULL'
          : to === 'with_manager'
            ? ', first_response_at = now(), manager_id = :managerId'
            : to === 'closed'
              ? ', closed_at = now(), closed_by = :closedBy'
              : '';
      const updated = await this.db.query<Record<string, unknown>>(
        `UPDATE support_tickets SET status = :to, updated_at = now()${stamp} WHERE id = :id RETURNING *`,
        {
          type: QueryTypes.SELECT,
          replacements: { id, to, managerId: extra.managerId ?? null, closedBy: extra.closedBy ?? 'system' },
          transaction,
        },
      );
      await this.recordEvent(id, current.status, to, actor, transaction);
      return toTicket(updated[0]!);
    });
  }

  private async recordEvent(
    ticketId: number,
    from: TicketStatus | null,
    to: TicketStatus,
    actor: string,
    transaction?: Transaction,
  ) {
    await this.db.query(
      'INSERT INTO support_ticket_events (ticket_id, from_status, to_status, actor) VALUES (:ticketId, :from, :to, :actor)',
      { replacements: { ticketId, from, to, actor }, transaction },
    );
  }

  async events(
    ticketId: number,
  ): Promise<Array<{ from: string | null; to: string; actor: string; at: Date }>> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM support_ticket_events WHERE ticket_id = :ticketId ORDER BY id',
      { type: QueryTypes.SELECT, replacements: { ticketId } },
    );
    return rows.map((r) => ({
      from: (r.from_status as string) ?? null,
      to: String(r.to_status),
      actor: String(r.actor),
      at: new Date(r.at as string),
    }));
  }

  /** When the ticket was last handed back to the assistant (null if never). */
  async lastHandBackAt(ticketId: number): Promise<Date | null> {
    const rows = await this.db.query<{ at: string | null }>(
      `SELECT max(at) AS at FROM support_ticket_events
        WHERE ticket_id = :ticketId AND to_status = 'ai' AND from_status IS NOT NULL`,
      { type: QueryTypes.SELECT, replacements: { ticketId } },
    );
    return date(rows[0]?.at);
  }

  /** Stores the customer's 1-5 rating of a closed ticket (once). Returns false when it cannot be rated. */
  async rate(id: number, customerId: number, rating: number): Promise<boolean> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5)
      throw new SupportError('INVALID_RATING', 'Rating must be 1 to 5');
    const rows = await this.db.query(
      `UPDATE support_tickets SET rating = :rating, rated_at = now(), updated_at = now()
       WHERE id = :id AND customer_id = :customerId AND status = 'closed' AND rating IS NULL RETURNING id`,
      { type: QueryTypes.SELECT, replacements: { id, customerId, rating } },
    );
    return rows.length > 0;
  }

  async addMessage(ticketId: number, message: NewMessage): Promise<SupportMessage> {
    const knowledge = message.knowledge?.map((p) => ({
      itemId: p.itemId,
      title: p.title,
      chunk: p.chunk,
      score: Math.round(p.score * 1000) / 1000,
    }));
    const sealed = this.text.seal(message.text);
    const rows = await this.db.query<Record<string, unknown>>(
      `INSERT INTO support_messages (ticket_id, author, author_id, author_name, channel, text, text_enc, search_terms, file_id, file_name, file_type, file_size, knowledge, confidence, offer)
       VALUES (:ticketId, :author, :authorId, :authorName, :channel, :text, :textEnc, CAST(:searchTerms AS TEXT[]), :fileId, :fileName, :fileType, :fileSize, CAST(:knowledge AS JSONB), :confidence, :offer)
       RETURNING *`,
      {
        type: QueryTypes.SELECT,
        replacements: {
          ticketId,
          author: message.author,
          authorId: message.authorId ?? null,
          authorName: message.authorName ?? null,
          channel: message.channel,
          text: sealed.text,
          textEnc: sealed.textEnc,
          searchTerms: termsParam(sealed.searchTerms),
          fileId: message.file?.id ?? null,
          fileName: message.file?.name ?? null,
          fileType: message.file?.type ?? null,
          fileSize: message.file?.size ?? null,
          knowledge: knowledge ? JSON.stringify(knowledge) : null,
          confidence: message.confidence ?? null,
          offer: message.offer ?? false,
        },
      },
    );
    return toMessage(rows[0]!, message.text);
  }

  async messages(ticketId: number, options: { limit?: number } = {}): Promise<SupportMessage[]> {
    const limit = options.limit ?? 1000;
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM (SELECT * FROM support_messages WHERE ticket_id = :ticketId ORDER BY id DESC LIMIT :limit) m ORDER BY id`,
      { type: QueryTypes.SELECT, replacements: { ticketId, limit } },
    );
    return rows.map(this.rowToMessage);
  }

  /**
   * Messages whose text contains every word of `query` (whole words, normalised as in
   * `normalisedTerms`), newest first, found through the blind index without decrypting.
   * Rows not yet sealed by the start-up backfill are not found.
   */
  async searchMessages(
    query: string,
    options: { limit?: number; offset?: number } = {},
  ): Promise<{ messages: SupportMessage[]; terms: number }> {
    const hashes = this.text.queryHashes(query);
    if (hashes.length === 0) return { messages: [], terms: 0 };
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM support_messages WHERE search_terms @> CAST(:hashes AS TEXT[])
       ORDER BY id DESC LIMIT :limit OFFSET :offset`,
      {
        type: QueryTypes.SELECT,
        replacements: { hashes: termsParam(hashes), limit: options.limit ?? 50, offset: options.offset ?? 0 },
      },
    );
    return { messages: rows.map(this.rowToMessage), terms: hashes.length };
  }

  /** The newest customer or assistant message of a ticket (what an answer's buttons must still be). */
  lastConversationMessageId(ticketId: number): Promise<number | null> {
    return this.lastMessageId(ticketId, ['customer', 'ai']);
  }

  async lastMessageId(ticketId: number, authors: MessageAuthor[]): Promise<number | null> {
    const rows = await this.db.query<{ id: string | number }>(
      'SELECT id FROM support_messages WHERE ticket_id = :ticketId AND author IN (:authors) ORDER BY id DESC LIMIT 1',
      { type: QueryTypes.SELECT, replacements: { ticketId, authors } },
    );
    return rows[0] ? Number(rows[0].id) : null;
  }

  async message(ticketId: number, messageId: number): Promise<SupportMessage | null> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM support_messages WHERE ticket_id = :ticketId AND id = :messageId',
      { type: QueryTypes.SELECT, replacements: { ticketId, messageId } },
    );
    return rows[0] ? this.rowToMessage(rows[0]) : null;
  }

  /** A message of one of the customer's tickets (null when it is gone or someone else's). */
  async messageOfCustomer(customerId: number, messageId: number): Promise<SupportMessage | null> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT m.* FROM support_messages m JOIN support_tickets t ON t.id = m.ticket_id
       WHERE m.id = :messageId AND t.customer_id = :customerId`,
      { type: QueryTypes.SELECT, replacements: { customerId, messageId } },
    );
    return rows[0] ? this.rowToMessage(rows[0]) : null;
  }

  /** How many customer messages the ticket got since its handoff (0 before one). */
  async customerMessagesSinceHandoff(ticketId: number): Promise<number> {
    const rows = await this.db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM support_messages m JOIN support_tickets t ON t.id = m.ticket_id
       WHERE m.ticket_id = :ticketId AND m.author = 'customer' AND t.handoff_at IS NOT NULL AND m.created_at >= t.handoff_at`,
      { type: QueryTypes.SELECT, replacements: { ticketId } },
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Whether a stored file belongs to one of the customer's tickets (download authorisation). */
  async customerOwnsFile(customerId: number, fileId: string): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM support_messages m JOIN support_tickets t ON t.id = m.ticket_id
       WHERE t.customer_id = :customerId AND m.file_id = :fileId LIMIT 1`,
      { type: QueryTypes.SELECT, replacements: { customerId, fileId } },
    );
    return rows.length > 0;
  }

  async list(filter: TicketFilter = {}): Promise<{ tickets: Ticket[]; total: number }> {
    const where: string[] = [];
    const replacements: Record<string, unknown> = {};
    if (filter.status) {
      where.push('status = :status');
      replacements.status = filter.status;
    }
    if (filter.customerId !== undefined) {
      where.push('customer_id = :customerId');
      replacements.customerId = filter.customerId;
    }
    if (filter.from) {
      where.push('opened_at >= :from');
      replacements.from = filter.from;
    }
    if (filter.to) {
      where.push('opened_at < :to');
      replacements.to = filter.to;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM support_tickets ${clause} ORDER BY id DESC LIMIT :limit OFFSET :offset`,
      {
        type: QueryTypes.SELECT,
        replacements: { ...replacements, limit: filter.limit ?? 50, offset: filter.offset ?? 0 },
      },
    );
    const total = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM support_tickets ${clause}`, {
      type: QueryTypes.SELECT,
      replacements,
    });
    return { tickets: rows.map(toTicket), total: Number(total[0]?.n ?? 0) };
  }
}
