import { randomUUID } from 'node:crypto';
import type { Crypto } from '@botloom/core';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

export type SenderType = 'user' | 'bot' | 'human' | 'echo';
export type ConversationStatus = 'active' | 'handoff' | 'closed';
/**
 * Why a thread waits for a person: a handoff rule, an operator's button, an AI reply with weak
 * grounding (`aiMinConfidence`), or an AI reply the LLM budget refused.
 */
export type HandoffReason = 'rule' | 'operator' | 'low_confidence' | 'budget';

export interface Conversation {
  id: string;
  threadId: string;
  userId: number;
  igsid: string;
  username: string | null;
  context: Record<string, unknown>;
  summary: string | null;
  sentiment: string | null;
  status: ConversationStatus;
  /** Set while the thread is in `handoff` (null for threads handed off before reasons were kept). */
  handoffReason: HandoffReason | null;
  standby: boolean;
  tags: string[];
  messageCount: number;
  lastUserMessageAt: Date | null;
  lastReplyAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredMessage {
  id: string;
  conversationId: string;
  mid: string | null;
  direction: 'in' | 'out';
  senderType: SenderType;
  text: string | null;
  aiConfidence: number | null;
  sentiment: string | null;
  intent: string | null;
  analysisSource: string | null;
  metadata: Record<string, unknown>;
  deletedAt: Date | null;
  createdAt: Date;
}

export interface NewMessage {
  conversationId: string;
  mid?: string | null;
  direction: 'in' | 'out';
  senderType: SenderType;
  text?: string | null;
  metadata?: Record<string, unknown>;
  createdAt?: Date;
}

type Row = Record<string, unknown>;

/** Users, conversations (one per thread) and messages; text is encrypted with core Crypto. */
export class ConversationStore {
  constructor(
    private readonly db: Sequelize,
    private readonly crypto: Crypto,
  ) {}

  private seal(text: string | null | undefined): string | null {
    return text === null || text === undefined ? null : this.crypto.encrypt(text);
  }

  private open(sealed: unknown): string | null {
    return typeof sealed === 'string' ? this.crypto.decrypt(sealed) : null;
  }

  /** The thread with this customer, created with its user on first contact. */
  async thread(igsid: string, transaction?: Transaction): Promise<Conversation> {
    await this.db.query(`INSERT INTO instagram_users (igsid) VALUES ($1) ON CONFLICT (igsid) DO NOTHING`, {
      bind: [igsid],
      transaction,
    });
    await this.db.query(
      `INSERT INTO instagram_conversations (id, thread_id, user_id)
       SELECT $1, $2, id FROM instagram_users WHERE igsid = $2
       ON CONFLICT (thread_id) DO NOTHING`,
      { bind: [randomUUID(), igsid], transaction },
    );
    return (await this.byThread(igsid, transaction))!;
  }

  async byThread(threadId: string, transaction?: Transaction): Promise<Conversation | undefined> {
    const rows = await this.db.query<Row>(`${SELECT_CONVERSATION} WHERE c.thread_id = $1`, {
      bind: [threadId],
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows[0] && this.toConversation(rows[0]);
  }

  async get(id: string): Promise<Conversation | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = await this.db.query<Row>(`${SELECT_CONVERSATION} WHERE c.id = $1`, {
      bind: [id],
      type: QueryTypes.SELECT,
    });
    return rows[0] && this.toConversation(rows[0]);
  }

  async list(options: { status?: ConversationStatus; limit: number; offset: number }) {
    const where = options.status ? 'WHERE c.status = $3' : '';
    const bind: unknown[] = [options.limit, options.offset];
    if (options.status) bind.push(options.status);
    const rows = await this.db.query<Row>(
      `${SELECT_CONVERSATION} ${where} ORDER BY c.updated_at DESC LIMIT $1 OFFSET $2`,
      {
        bind,
        type: QueryTypes.SELECT,
      },
    );
    const [count] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM instagram_conversations c ${options.status ? 'WHERE c.status = $1' : ''}`,
      { bind: options.status ? [options.status] : [], type: QueryTypes.SELECT },
    );
    return { items: rows.map((r) => this.toConversation(r)), total: count?.n ?? 0 };
  }

  /**
   * Stores a message once: a second insert with the same Meta message id returns the stored
   * one with `created: false` (redeliveries, echoes of our own sends).
   */
  async addMessage(
    input: NewMessage,
    transaction?: Transaction,
  ): Promise<{ message: StoredMessage; created: boolean }> {
    const id = randomUUID();
    const text = input.text ?? null;
    const rows = await this.db.query<Row>(
      `INSERT INTO instagram_messages (id, conversation_id, mid, direction, sender_type, content_encrypted, search_vector, metadata, created_at)
       VALUES ($1, $2, $3, $4, $5, $6,
               CASE WHEN $7::text IS NULL THEN NULL ELSE to_tsvector('russian', $7::text) || to_tsvector('english', $7::text) END,
               $8::jsonb, $9)
       ON CONFLICT (mid) DO NOTHING RETURNING *`,
      {
        bind: [
          id,
          input.conversationId,
          input.mid ?? null,
          input.direction,
          input.senderType,
          this.seal(text),
          text,
          JSON.stringify(input.metadata ?? {}),
          input.createdAt ?? new Date(),
        ],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (rows[0]) {
      await this.db.query(
        `UPDATE instagram_conversations SET message_count = message_count + 1, updated_at = now() WHERE id = $1`,
        { bind: [input.conversationId], transaction },
      );
      return { message: this.toMessage(rows[0]), created: true };
    }
    const existing = (await this.messageByMid(input.mid!, transaction))!;
    // The echo of our own send can arrive before the send is recorded: the send names the author.
    if (existing.senderType === 'echo' && (input.senderType === 'bot' || input.senderType === 'human')) {
      await this.db.query(
        `UPDATE instagram_messages SET sender_type = $2, metadata = metadata || $3::jsonb WHERE id = $1`,
        {
          bind: [existing.id, input.senderType, JSON.stringify(input.metadata ?? {})],
          transaction,
        },
      );
      return { message: { ...existing, senderType: input.senderType }, created: false };
    }
    return { message: existing, created: false };
  }

  async messageByMid(mid: string, transaction?: Transaction): Promise<StoredMessage | undefined> {
    const rows = await this.db.query<Row>(`SELECT * FROM instagram_messages WHERE mid = $1`, {
      bind: [mid],
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows[0] && this.toMessage(rows[0]);
  }

  async setAnalysis(
    messageId: string,
    analysis: { sentiment: string; intent: string; confidence: number; source: string },
  ): Promise<void> {
    await this.db.query(
      `UPDATE instagram_messages SET sentiment = $2, intent = $3, ai_confidence = $4, analysis_source = $5 WHERE id = $1`,
      { bind: [messageId, analysis.sentiment, analysis.intent, analysis.confidence, analysis.source] },
    );
  }

  async setMessageMid(messageId: string, mid: string): Promise<void> {
    await this.db.query(`UPDATE instagram_messages SET mid = $2 WHERE id = $1 AND mid IS NULL`, {
      bind: [messageId, mid],
    });
  }

  async markDeleted(mid: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE instagram_messages SET deleted_at = now(), content_encrypted = NULL, search_vector = NULL
        WHERE mid = $1 AND deleted_at IS NULL RETURNING id`,
      { bind: [mid], type: QueryTypes.SELECT },
    );
    return rows.length > 0;
  }

  async mergeMetadata(mid: string, patch: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE instagram_messages SET metadata = metadata || $2::jsonb WHERE mid = $1`, {
      bind: [mid, JSON.stringify(patch)],
    });
  }

  /** Moves the window forward only: redeliveries and out-of-order events never move it back. */
  async touchUserMessage(conversationId: string, at: Date, standby: boolean): Promise<void> {
    await this.db.query(
      `UPDATE instagram_conversations
          SET last_user_message_at = GREATEST(COALESCE(last_user_message_at, $2), $2), standby = $3, updated_at = now()
        WHERE id = $1`,
      { bind: [conversationId, at, standby] },
    );
    await this.db.query(
      `UPDATE instagram_users u SET last_seen_at = GREATEST(COALESCE(u.last_seen_at, $2), $2)
         FROM instagram_conversations c WHERE c.id = $1 AND u.id = c.user_id`,
      { bind: [conversationId, at] },
    );
  }

  async touchReply(conversationId: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE instagram_conversations SET last_reply_at = $2, updated_at = now() WHERE id = $1`,
      {
        bind: [conversationId, at],
      },
    );
  }

  /** A handoff records why (`reason`); any other status clears it. */
  async setStatus(conversationId: string, status: 'active' | 'closed'): Promise<void>;
  async setStatus(conversationId: string, status: 'handoff', reason: HandoffReason): Promise<void>;
  async setStatus(conversationId: string, status: ConversationStatus, reason?: HandoffReason): Promise<void> {
    await this.db.query(
      `UPDATE instagram_conversations
          SET status = $2, updated_at = now(), handed_off_at = CASE WHEN $2 = 'handoff' THEN now() ELSE handed_off_at END,
              handoff_reason = $3
        WHERE id = $1`,
      { bind: [conversationId, status, status === 'handoff' ? (reason ?? null) : null] },
    );
  }

  async addTags(conversationId: string, tags: string[]): Promise<void> {
    await this.db.query(
      `UPDATE instagram_conversations SET tags = ARRAY(SELECT DISTINCT unnest(tags || $2::text[])), updated_at = now() WHERE id = $1`,
      { bind: [conversationId, tags] },
    );
  }

  async setContext(conversationId: string, context: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `UPDATE instagram_conversations SET context = $2::jsonb, updated_at = now() WHERE id = $1`,
      {
        bind: [conversationId, JSON.stringify(context)],
      },
    );
  }

  async setSummary(conversationId: string, summary: string, sentiment: string | null): Promise<void> {
    await this.db.query(
      `UPDATE instagram_conversations SET summary_encrypted = $2, sentiment = COALESCE($3, sentiment) WHERE id = $1`,
      { bind: [conversationId, this.seal(summary), sentiment] },
    );
  }

  async history(conversationId: string, limit: number): Promise<StoredMessage[]> {
    const rows = await this.db.query<Row>(
      `SELECT * FROM (SELECT * FROM instagram_messages WHERE conversation_id = $1 ORDER BY created_at DESC LIMIT $2) m
        ORDER BY created_at ASC`,
      { bind: [conversationId, limit], type: QueryTypes.SELECT },
    );
    return rows.map((r) => this.toMessage(r));
  }

  /** The auto-reply decisions of a thread, newest first, with the rule that made each. */
  async decisions(conversationId: string, limit: number) {
    return this.db.query<{ action: string; rule_name: string | null; reason: string; created_at: Date }>(
      `SELECT action, rule_name, reason, created_at FROM instagram_decisions WHERE conversation_id = $1 ORDER BY created_at DESC LIMIT $2`,
      { bind: [conversationId, limit], type: QueryTypes.SELECT },
    );
  }

  /** Full-text search over message history with PostgreSQL's Russian and English configurations. */
  async search(query: string, limit: number) {
    const rows = await this.db.query<Row>(
      `SELECT m.*, c.thread_id,
              ts_rank(m.search_vector, q) AS rank
         FROM instagram_messages m
         JOIN instagram_conversations c ON c.id = m.conversation_id,
              (SELECT websearch_to_tsquery('russian', $1) || websearch_to_tsquery('english', $1) AS q) qq
        WHERE m.search_vector @@ q
        ORDER BY rank DESC, m.created_at DESC
        LIMIT $2`,
      { bind: [query, limit], type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ ...this.toMessage(r), threadId: String(r.thread_id), rank: Number(r.rank) }));
  }

  private toConversation(r: Row): Conversation {
    return {
      id: String(r.id),
      threadId: String(r.thread_id),
      userId: Number(r.user_id),
      igsid: String(r.igsid),
      username: (r.username as string | null) ?? null,
      context: (r.context as Record<string, unknown>) ?? {},
      summary: this.open(r.summary_encrypted),
      sentiment: (r.sentiment as string | null) ?? null,
      status: r.status as ConversationStatus,
      handoffReason: (r.handoff_reason as HandoffReason | null) ?? null,
      standby: Boolean(r.standby),
      tags: (r.tags as string[]) ?? [],
      messageCount: Number(r.message_count),
      lastUserMessageAt: (r.last_user_message_at as Date | null) ?? null,
      lastReplyAt: (r.last_reply_at as Date | null) ?? null,
      createdAt: r.created_at as Date,
      updatedAt: r.updated_at as Date,
    };
  }

  toMessage(r: Row): StoredMessage {
    return {
      id: String(r.id),
      conversationId: String(r.conversation_id),
      mid: (r.mid as string | null) ?? null,
      direction: r.direction as 'in' | 'out',
      senderType: r.sender_type as SenderType,
      text: this.open(r.content_encrypted),
      aiConfidence:
        r.ai_confidence === null || r.ai_confidence === undefined ? null : Number(r.ai_confidence),
      sentiment: (r.sentiment as string | null) ?? null,
      intent: (r.intent as string | null) ?? null,
      analysisSource: (r.analysis_source as string | null) ?? null,
      metadata: (r.metadata as Record<string, unknown>) ?? {},
      deletedAt: (r.deleted_at as Date | null) ?? null,
      createdAt: r.created_at as Date,
    };
  }
}

const SELECT_CONVERSATION = `SELECT c.*, u.igsid, u.username FROM instagram_conversations c JOIN instagram_users u ON u.id = c.user_id`;

export const isUuid = (s: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
