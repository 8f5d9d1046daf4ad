import type { Crypto, EventBus } from '@botloom/core';
import type { IncomingPersonalMessage } from '../gateway/user-account-gateway.js';
import type { Clock } from './ports.js';
import type { Sql } from './sql.js';

export interface StoredPersonalMessage {
  id: number;
  accountId: number;
  kind: 'reply' | 'direct';
  chatId: number;
  messageId: number;
  fromUserId: number;
  fromName: string;
  text: string;
  commentId: number | null;
  receivedAt: Date;
}

/**
 * Replies to our comments and private messages people wrote to the operator's accounts
 * first. Stored once (encrypted) and announced as `commentator.message.received`, so a sales
 * plugin can take the person as a lead. Nothing here ever writes to anyone.
 */
export class InboxService {
  constructor(
    private readonly sql: Sql,
    private readonly crypto: Crypto,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {}

  /** Stores the message; true when it was new (and the event was emitted). */
  async record(
    accountId: number,
    message: IncomingPersonalMessage,
    commentId: number | null,
  ): Promise<boolean> {
    const receivedAt = this.clock();
    const row = await this.sql.one<{ id: number }>(
      `INSERT INTO commentator_direct_messages (account_id, kind, chat_id, message_id, from_user_id, from_name_enc, text_enc, comment_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (account_id, chat_id, message_id) DO NOTHING RETURNING id`,
      [
        accountId,
        message.kind,
        message.chatId,
        message.messageId,
        message.fromUserId,
        this.crypto.encrypt(message.fromName),
        this.crypto.encrypt(message.text),
        commentId,
        receivedAt,
      ],
    );
    if (!row) return false;
    await this.events.emit('commentator.message.received', {
      accountId,
      kind: message.kind,
      chatId: message.chatId,
      messageId: message.messageId,
      fromUserId: message.fromUserId,
      fromName: message.fromName,
      text: message.text,
      commentId,
      receivedAt: receivedAt.toISOString(),
    });
    return true;
  }

  /** A reply in a discussion group to one of our sent comments; null when it is not one. */
  async commentRepliedTo(
    chatId: number,
    messageId: number,
  ): Promise<{ id: number; accountId: number } | null> {
    const row = await this.sql.one<any>(
      `SELECT id, account_id FROM commentator_generated_comments WHERE sent_chat_id = $1 AND sent_message_id = $2 AND status = 'sent'`,
      [chatId, messageId],
    );
    return row ? { id: Number(row.id), accountId: Number(row.account_id) } : null;
  }

  async list(limit: number, offset: number, withContent: boolean) {
    const rows = await this.sql.select<any>(
      `SELECT *, count(*) OVER () AS total FROM commentator_direct_messages ORDER BY id DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return {
      total: rows[0] ? Number(rows[0].total) : 0,
      items: rows.map((r) => ({
        id: Number(r.id),
        accountId: Number(r.account_id),
        kind: r.kind,
        chatId: Number(r.chat_id),
        messageId: Number(r.message_id),
        fromUserId: Number(r.from_user_id),
        fromName: withContent && r.from_name_enc ? this.crypto.decrypt(r.from_name_enc) : null,
        text: withContent ? this.crypto.decrypt(r.text_enc) : null,
        commentId: r.comment_id === null ? null : Number(r.comment_id),
        receivedAt: r.received_at,
      })),
    };
  }

  /** /delete_my_data: everything a person wrote to us. */
  async erase(userId: number): Promise<number> {
    return this.sql.execute('DELETE FROM commentator_direct_messages WHERE from_user_id = $1', [userId]);
  }
}
