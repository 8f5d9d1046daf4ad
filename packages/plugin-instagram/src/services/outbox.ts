import { randomUUID } from 'node:crypto';
import type { Crypto, Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Conversation, ConversationStore } from './conversation-store.js';
import { GraphApiError } from './errors.js';
import type { AttachmentType, InstagramApi, OutgoingContent } from './graph-client.js';
import { decideWindow, type ReplyAuthor, type WindowLimits } from './messaging-window.js';
import type { SendPacer } from './send-pacer.js';
import { splitText } from './text-split.js';

export const SEND_JOB = 'send-reply';

export interface ReplyRequest {
  conversation: Conversation;
  author: ReplyAuthor;
  authorName?: string;
  text?: string;
  attachment?: { type: AttachmentType; url: string };
  /** Makes the request idempotent: a second request with the same key is the first one. */
  replyKey?: string;
  source: 'auto' | 'rule' | 'admin' | 'plan' | 'ai-draft' | 'follow-up';
  ruleId?: string;
  planId?: string;
  experimentId?: string;
  variant?: string;
}

export interface OutboxEntry {
  id: string;
  conversationId: string;
  recipient: string;
  author: ReplyAuthor;
  authorName: string | null;
  text: string | null;
  attachment: { type: AttachmentType; url: string } | null;
  source: string;
  ruleId: string | null;
  status: 'queued' | 'sent' | 'refused' | 'failed';
  attempts: number;
  partsSent: number;
  messagingType: string | null;
  tag: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  messageIds: string[];
  createdAt: Date;
  sentAt: Date | null;
  /** A send in progress (or interrupted by a crash): the part being sent, since when. */
  sendingPart: number | null;
  sendingSince: Date | null;
}

export interface EnqueueOptions {
  /**
   * Send now, from the caller's job (the agent's automatic replies), instead of queueing a
   * send job: one job hop per message instead of two. A temporary failure still goes to a
   * durable send job with backoff.
   */
  deliverNow?: boolean;
}

/** A send whose intent is older than this was interrupted (the Send API call times out at 20 s). */
export const INTERRUPTED_AFTER_SECONDS = 300;

export interface OutboxSettings extends WindowLimits {
  sendRetryBaseSeconds: number;
  sendMaxAttempts: number;
}

export type OutboxListener = (entry: OutboxEntry) => void;

type Row = Record<string, unknown>;

/**
 * Every reply goes through here: the messaging window is checked when it is queued and again
 * when it is sent (a retry may land later), parts of a long text are sent in order and
 * remembered (a retry resumes after the last sent part), and failures are kept with their
 * reason instead of being dropped. Before each Send API call the intent (which part, since
 * when) is written and claimed in one statement, so two runs never send the same part, and a
 * crash between the call and recording its answer leaves the intent behind: that reply is
 * marked failed (`unknown_outcome`) for a person to check and retry, never resent silently.
 */
export class Outbox {
  private readonly listeners = new Set<OutboxListener>();

  constructor(
    private readonly deps: {
      db: Sequelize;
      crypto: Crypto;
      store: ConversationStore;
      api: () => InstagramApi;
      jobs: () => Jobs;
      pacer: SendPacer;
      settings: () => OutboxSettings;
      now: () => Date;
      logger: Logger;
    },
  ) {}

  onChange(listener: OutboxListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Queues a reply (or sends it now), or records it as refused when the window does not allow it. */
  async enqueue(request: ReplyRequest, options: EnqueueOptions = {}): Promise<OutboxEntry> {
    if (request.replyKey) {
      const existing = await this.byReplyKey(request.replyKey);
      // The caller's job ran before and stopped after queueing: finish what it started.
      if (existing?.status === 'queued' && options.deliverNow) {
        await this.deliver(existing.id);
        return (await this.get(existing.id)) ?? existing;
      }
      if (existing) return existing;
    }
    const window = decideWindow(
      request.author,
      request.conversation.lastUserMessageAt,
      this.deps.now(),
      this.deps.settings(),
    );
    const id = randomUUID();
    const rows = await this.deps.db.query<Row>(
      `INSERT INTO instagram_outbox (id, conversation_id, recipient, author, author_name, text_encrypted, attachment, reply_key,
                                     source, rule_id, plan_id, experiment_id, variant, status, error_code, error_message, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (reply_key) DO NOTHING RETURNING *`,
      {
        bind: [
          id,
          request.conversation.id,
          request.conversation.igsid,
          request.author,
          request.authorName ?? null,
          request.text === undefined ? null : this.deps.crypto.encrypt(request.text),
          request.attachment ? JSON.stringify(request.attachment) : null,
          request.replyKey ?? null,
          request.source,
          request.ruleId ?? null,
          request.planId ?? null,
          request.experimentId ?? null,
          request.variant ?? null,
          window.allowed ? 'queued' : 'refused',
          window.allowed ? null : window.reason,
          window.allowed ? null : window.message,
          this.deps.now(),
        ],
        type: QueryTypes.SELECT,
      },
    );
    const entry = rows[0] ? this.toEntry(rows[0]) : await this.byReplyKey(request.replyKey!);
    if (!entry) throw new Error('outbox row vanished');
    if (!rows[0]) return entry;
    this.emit(entry);
    if (entry.status !== 'queued') return entry;
    if (!options.deliverNow) {
      await this.deps.jobs().send(SEND_JOB, { outboxId: entry.id });
      return entry;
    }
    await this.deliver(entry.id);
    return (await this.get(entry.id)) ?? entry;
  }

  async get(id: string): Promise<OutboxEntry | undefined> {
    const rows = await this.deps.db.query<Row>(`SELECT * FROM instagram_outbox WHERE id = $1`, {
      bind: [id],
      type: QueryTypes.SELECT,
    });
    return rows[0] && this.toEntry(rows[0]);
  }

  private async byReplyKey(key: string): Promise<OutboxEntry | undefined> {
    const rows = await this.deps.db.query<Row>(`SELECT * FROM instagram_outbox WHERE reply_key = $1`, {
      bind: [key],
      type: QueryTypes.SELECT,
    });
    return rows[0] && this.toEntry(rows[0]);
  }

  async list(options: { conversationId?: string; status?: string; limit: number }) {
    const where: string[] = [];
    const bind: unknown[] = [options.limit];
    if (options.conversationId) {
      bind.push(options.conversationId);
      where.push(`conversation_id = $${bind.length}`);
    }
    if (options.status) {
      bind.push(options.status);
      where.push(`status = $${bind.length}`);
    }
    const rows = await this.deps.db.query<Row>(
      `SELECT * FROM instagram_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT $1`,
      { bind, type: QueryTypes.SELECT },
    );
    return rows.map((r) => this.toEntry(r));
  }

  /** Puts a failed entry (e.g. after a bad token was replaced) back in the queue. */
  async retry(id: string): Promise<OutboxEntry | undefined> {
    const rows = await this.deps.db.query<Row>(
      `UPDATE instagram_outbox SET status = 'queued', attempts = 0, error_code = NULL, error_message = NULL,
              sending_part = NULL, sending_since = NULL
        WHERE id = $1 AND status = 'failed' RETURNING *`,
      { bind: [id], type: QueryTypes.SELECT },
    );
    if (!rows[0]) return undefined;
    await this.deps.jobs().send(SEND_JOB, { outboxId: id });
    return this.toEntry(rows[0]);
  }

  /**
   * Replies whose send was interrupted (intent older than `olderThanSeconds`, no answer
   * recorded) are marked failed with `unknown_outcome`: Meta may or may not have delivered
   * them, so a person checks the thread and retries (`retry`), nothing resends on its own.
   */
  async markInterrupted(olderThanSeconds = INTERRUPTED_AFTER_SECONDS): Promise<number> {
    const rows = await this.deps.db.query<Row>(
      `UPDATE instagram_outbox SET status = 'failed', error_code = 'unknown_outcome',
              error_message = 'The send of part ' || (sending_part + 1) || ' was interrupted; check the thread before retrying'
        WHERE status = 'queued' AND sending_part IS NOT NULL AND sending_since < now() - make_interval(secs => $1)
        RETURNING *`,
      { bind: [olderThanSeconds], type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      const entry = this.toEntry(row);
      this.deps.logger.error({ outboxId: entry.id }, 'a send was interrupted: outcome unknown, not resent');
      this.emit(entry);
    }
    return rows.length;
  }

  /** Delivers one queued entry (the send job, or the caller's job), or reschedules it on a temporary failure. */
  async deliver(outboxId: string): Promise<void> {
    const entry = await this.get(outboxId);
    if (entry?.status !== 'queued') return;
    if (entry.sendingPart !== null) {
      // Another run is sending it, or one stopped mid-send (then markInterrupted resolves it).
      await this.markInterrupted();
      return;
    }
    const conversation = await this.deps.store.get(entry.conversationId);
    if (!conversation) return;
    const settings = this.deps.settings();
    const window = decideWindow(entry.author, conversation.lastUserMessageAt, this.deps.now(), settings);
    if (!window.allowed) {
      await this.finish(entry.id, 'refused', window.reason, window.message);
      return;
    }
    const contents: OutgoingContent[] =
      entry.text !== null ? splitText(entry.text).map((text) => ({ text })) : [];
    if (entry.attachment) contents.push({ attachment: entry.attachment });
    try {
      for (let part = entry.partsSent; part < contents.length; part++) {
        await this.deps.pacer.acquire(entry.recipient);
        // The intent first, claimed: only one run sends this part.
        const claimed = await this.deps.db.query<Row>(
          `UPDATE instagram_outbox SET sending_part = $2, sending_since = now()
            WHERE id = $1 AND status = 'queued' AND parts_sent = $2 AND sending_part IS NULL RETURNING id`,
          { bind: [entry.id, part], type: QueryTypes.SELECT },
        );
        if (!claimed[0]) return;
        let sent: Awaited<ReturnType<InstagramApi['sendMessage']>>;
        try {
          sent = await this.deps.api().sendMessage(entry.recipient, contents[part]!, window.options);
        } catch (err) {
          // Meta answered with an error (or could not be reached): this part was not sent.
          if (err instanceof GraphApiError) {
            await this.deps.db.query(
              `UPDATE instagram_outbox SET sending_part = NULL, sending_since = NULL WHERE id = $1`,
              { bind: [entry.id] },
            );
          }
          throw err;
        }
        await this.deps.db.query(
          `UPDATE instagram_outbox SET parts_sent = $2, message_ids = array_append(message_ids, $3),
                  messaging_type = $4, tag = $5, sending_part = NULL, sending_since = NULL WHERE id = $1`,
          {
            bind: [
              entry.id,
              part + 1,
              sent.messageId,
              window.options.messagingType,
              window.options.tag ?? null,
            ],
          },
        );
        const content = contents[part]!;
        // Recorded under Meta's message id, so the echo of this send is recognised as ours.
        await this.deps.store.addMessage({
          conversationId: conversation.id,
          mid: sent.messageId,
          direction: 'out',
          senderType: entry.author,
          text: 'text' in content ? content.text : null,
          metadata: {
            outboxId: entry.id,
            part: part + 1,
            ...('attachment' in content ? { attachment: content.attachment } : {}),
            ...(window.options.tag ? { tag: window.options.tag } : {}),
            ...(entry.authorName ? { authorName: entry.authorName } : {}),
          },
          createdAt: this.deps.now(),
        });
      }
    } catch (err) {
      if (!(err instanceof GraphApiError)) throw err;
      await this.onSendError(entry, err, settings);
      return;
    }
    await this.deps.db.query(
      `UPDATE instagram_outbox SET status = 'sent', sent_at = $2, error_code = NULL, error_message = NULL WHERE id = $1`,
      { bind: [entry.id, this.deps.now()] },
    );
    await this.deps.store.touchReply(conversation.id, this.deps.now());
    const done = await this.get(entry.id);
    if (done) this.emit(done);
  }

  private async onSendError(entry: OutboxEntry, err: GraphApiError, settings: OutboxSettings) {
    const attempts = entry.attempts + 1;
    if (err.kind === 'outside_window') {
      await this.finish(entry.id, 'refused', 'outside_window', err.message);
      return;
    }
    if (err.retryable && attempts < settings.sendMaxAttempts) {
      const delay = settings.sendRetryBaseSeconds * 2 ** (attempts - 1);
      this.deps.logger.warn(
        { outboxId: entry.id, kind: err.kind, code: err.meta.code, attempts, delay },
        'send failed, retrying',
      );
      await this.deps.db.query(
        `UPDATE instagram_outbox SET attempts = $2, error_code = $3, error_message = $4 WHERE id = $1`,
        { bind: [entry.id, attempts, err.kind, err.message] },
      );
      await this.deps
        .jobs()
        .send(SEND_JOB, { outboxId: entry.id }, delay > 0 ? { startAfter: Math.ceil(delay) } : {});
      return;
    }
    this.deps.logger.error(
      { outboxId: entry.id, kind: err.kind, code: err.meta.code, attempts },
      'send failed',
    );
    await this.deps.db.query(`UPDATE instagram_outbox SET attempts = $2 WHERE id = $1`, {
      bind: [entry.id, attempts],
    });
    await this.finish(entry.id, 'failed', err.kind, err.message);
  }

  private async finish(id: string, status: 'refused' | 'failed', code: string, message: string) {
    await this.deps.db.query(
      `UPDATE instagram_outbox SET status = $2, error_code = $3, error_message = $4 WHERE id = $1`,
      {
        bind: [id, status, code, message],
      },
    );
    const entry = await this.get(id);
    if (entry) this.emit(entry);
  }

  private emit(entry: OutboxEntry) {
    for (const listener of this.listeners) {
      try {
        listener(entry);
      } catch (err) {
        this.deps.logger.warn({ err }, 'outbox listener failed');
      }
    }
  }

  private toEntry(r: Row): OutboxEntry {
    return {
      id: String(r.id),
      conversationId: String(r.conversation_id),
      recipient: String(r.recipient),
      author: r.author as ReplyAuthor,
      authorName: (r.author_name as string | null) ?? null,
      text: typeof r.text_encrypted === 'string' ? this.deps.crypto.decrypt(r.text_encrypted) : null,
      attachment: (r.attachment as OutboxEntry['attachment']) ?? null,
      source: String(r.source),
      ruleId: (r.rule_id as string | null) ?? null,
      status: r.status as OutboxEntry['status'],
      attempts: Number(r.attempts),
      partsSent: Number(r.parts_sent),
      messagingType: (r.messaging_type as string | null) ?? null,
      tag: (r.tag as string | null) ?? null,
      errorCode: (r.error_code as string | null) ?? null,
      errorMessage: (r.error_message as string | null) ?? null,
      messageIds: (r.message_ids as string[]) ?? [],
      createdAt: r.created_at as Date,
      sentAt: (r.sent_at as Date | null) ?? null,
      sendingPart: r.sending_part === null || r.sending_part === undefined ? null : Number(r.sending_part),
      sendingSince: (r.sending_since as Date | null) ?? null,
    };
  }
}
