import { randomUUID } from 'node:crypto';
import type { Crypto } from '@botloom/core';
import type { Transaction } from 'sequelize';
import type { Sql } from '../store/sql.js';
import { MemoryNotFoundError } from './errors.js';

export type SessionStatus = 'active' | 'ended';
export type SummaryStatus = 'none' | 'pending' | 'running' | 'done' | 'empty';
export type EndReason = 'command' | 'idle' | 'replaced';

export interface Session {
  id: string;
  userId: string;
  chatId: string;
  status: SessionStatus;
  summaryStatus: SummaryStatus;
  endReason: EndReason | null;
  title: string | null;
  summary: string | null;
  messageCount: number;
  idleJobId: string | null;
  startedAt: Date;
  lastActivityAt: Date;
  endedAt: Date | null;
}

export interface StoredMessage {
  id: string;
  sessionId: string;
  role: 'user' | 'assistant';
  content: string;
  chars: number;
  createdAt: Date;
}

interface SessionRow {
  id: string;
  user_id: string;
  chat_id: string;
  status: SessionStatus;
  summary_status: SummaryStatus;
  end_reason: EndReason | null;
  title_enc: string | null;
  summary_enc: string | null;
  message_count: number;
  idle_job_id: string | null;
  started_at: Date;
  last_activity_at: Date;
  ended_at: Date | null;
}

interface MessageRow {
  id: string;
  session_id: string;
  role: 'user' | 'assistant';
  content_enc: string;
  chars: number;
  created_at: Date;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
}

/** Sessions and their messages. Titles, summaries and message texts are stored encrypted. */
export class SessionService {
  constructor(
    private readonly sql: Sql,
    private readonly crypto: Crypto,
  ) {}

  async active(userId: string): Promise<Session | null> {
    const row = await this.sql.one<SessionRow>(
      `SELECT * FROM memory_sessions WHERE user_id = $1 AND status = 'active'`,
      [userId],
    );
    return row ? this.fromRow(row) : null;
  }

  /**
   * Starts a session. An active one is ended first (reason `replaced`) and returned as
   * `previous`, so the caller can summarise it.
   */
  async start(userId: string, chatId: string): Promise<{ session: Session; previous: Session | null }> {
    return this.sql.transaction(async (t) => {
      const ended = await this.sql.select<SessionRow>(
        `UPDATE memory_sessions SET status = 'ended', end_reason = 'replaced', ended_at = now(),
           summary_status = CASE WHEN message_count > 0 THEN 'pending' ELSE 'empty' END
         WHERE user_id = $1 AND status = 'active' RETURNING *`,
        [userId],
        t,
      );
      const row = await this.sql.one<SessionRow>(
        `INSERT INTO memory_sessions (id, user_id, chat_id, status) VALUES ($1, $2, $3, 'active') RETURNING *`,
        [randomUUID(), userId, chatId],
        t,
      );
      return { session: this.fromRow(row!), previous: ended[0] ? this.fromRow(ended[0]) : null };
    });
  }

  /** Ends the session if it is still active; returns it as ended, or null when it was not active. */
  async end(sessionId: string, reason: EndReason): Promise<Session | null> {
    const row = await this.sql.one<SessionRow>(
      `UPDATE memory_sessions SET status = 'ended', end_reason = $2, ended_at = now(),
         summary_status = CASE WHEN message_count > 0 THEN 'pending' ELSE 'empty' END
       WHERE id = $1 AND status = 'active' RETURNING *`,
      [sessionId, reason],
    );
    return row ? this.fromRow(row) : null;
  }

  async get(sessionId: string): Promise<Session | null> {
    if (!isUuid(sessionId)) return null;
    const row = await this.sql.one<SessionRow>('SELECT * FROM memory_sessions WHERE id = $1', [sessionId]);
    return row ? this.fromRow(row) : null;
  }

  /** A session of this user; a session of another user is reported as not found. */
  async getOwned(userId: string, sessionId: string): Promise<Session> {
    const session = await this.get(sessionId);
    if (!session || session.userId !== userId) throw new MemoryNotFoundError('session', sessionId);
    return session;
  }

  async list(userId: string, page: number, pageSize: number): Promise<Page<Session>> {
    const total = Number(
      (
        await this.sql.one<{ n: string }>('SELECT count(*) AS n FROM memory_sessions WHERE user_id = $1', [
          userId,
        ])
      )?.n ?? 0,
    );
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const current = Math.min(Math.max(0, page), pages - 1);
    const rows = await this.sql.select<SessionRow>(
      `SELECT * FROM memory_sessions WHERE user_id = $1 ORDER BY started_at DESC, id LIMIT $2 OFFSET $3`,
      [userId, pageSize, current * pageSize],
    );
    return { items: rows.map((r) => this.fromRow(r)), total, page: current, pages };
  }

  /** Everyone's sessions (or one user's), latest activity first, for the admin panel. */
  async recent(query: {
    userId?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: Session[]; total: number }> {
    const user = query.userId ?? null;
    const total = Number(
      (
        await this.sql.one<{ n: string }>(
          'SELECT count(*) AS n FROM memory_sessions WHERE ($1::text IS NULL OR user_id = $1)',
          [user],
        )
      )?.n ?? 0,
    );
    const rows = await this.sql.select<SessionRow>(
      `SELECT * FROM memory_sessions WHERE ($1::text IS NULL OR user_id = $1)
       ORDER BY last_activity_at DESC, id LIMIT $2 OFFSET $3`,
      [user, query.limit, query.offset],
    );
    return { items: rows.map((r) => this.fromRow(r)), total };
  }

  async allForUser(userId: string): Promise<Session[]> {
    const rows = await this.sql.select<SessionRow>(
      'SELECT * FROM memory_sessions WHERE user_id = $1 ORDER BY started_at',
      [userId],
    );
    return rows.map((r) => this.fromRow(r));
  }

  async appendMessage(session: Session, role: 'user' | 'assistant', content: string): Promise<StoredMessage> {
    return this.sql.transaction(async (t) => {
      const row = await this.sql.one<MessageRow>(
        `INSERT INTO memory_messages (session_id, user_id, role, content_enc, chars) VALUES ($1, $2, $3, $4, $5)
         RETURNING *`,
        [session.id, session.userId, role, this.crypto.encrypt(content), content.length],
        t,
      );
      await this.sql.execute(
        `UPDATE memory_sessions SET message_count = message_count + 1, last_activity_at = now() WHERE id = $1`,
        [session.id],
        t,
      );
      return this.messageFromRow(row!);
    });
  }

  /** The last `limit` messages of a session, oldest first. */
  async recentMessages(sessionId: string, limit: number): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    const rows = await this.sql.select<MessageRow>(
      `SELECT * FROM (SELECT * FROM memory_messages WHERE session_id = $1 ORDER BY id DESC LIMIT $2) m ORDER BY id`,
      [sessionId, limit],
    );
    return rows.map((r) => this.messageFromRow(r));
  }

  async messages(sessionId: string): Promise<StoredMessage[]> {
    const rows = await this.sql.select<MessageRow>(
      'SELECT * FROM memory_messages WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    return rows.map((r) => this.messageFromRow(r));
  }

  async setIdleJob(sessionId: string, jobId: string | null): Promise<void> {
    await this.sql.execute('UPDATE memory_sessions SET idle_job_id = $2 WHERE id = $1', [sessionId, jobId]);
  }

  async saveSummary(
    sessionId: string,
    summary: { title: string; summary: string } | null,
    transaction?: Transaction,
  ): Promise<void> {
    if (!summary) {
      await this.sql.execute(
        `UPDATE memory_sessions SET summary_status = 'empty' WHERE id = $1`,
        [sessionId],
        transaction,
      );
      return;
    }
    await this.sql.execute(
      `UPDATE memory_sessions SET summary_status = 'done', title_enc = $2, summary_enc = $3 WHERE id = $1`,
      [sessionId, this.crypto.encrypt(summary.title), this.crypto.encrypt(summary.summary)],
      transaction,
    );
  }

  /**
   * Claims the summary of an ended session for one worker: pending, or running for longer
   * than `staleMinutes` (a worker died). Returns false when someone else has it or it is done.
   */
  async claimSummary(sessionId: string, staleMinutes = 10): Promise<boolean> {
    const n = await this.sql.execute(
      `UPDATE memory_sessions SET summary_status = 'running', summary_claimed_at = now()
       WHERE id = $1 AND status = 'ended' AND (summary_status = 'pending'
         OR (summary_status = 'running' AND summary_claimed_at < now() - make_interval(mins => $2)))`,
      [sessionId, staleMinutes],
    );
    return n > 0;
  }

  /** Gives a claimed summary back (the LLM failed); a later sweep retries it. */
  async releaseSummary(sessionId: string): Promise<void> {
    await this.sql.execute(
      `UPDATE memory_sessions SET summary_status = 'pending', summary_claimed_at = NULL
       WHERE id = $1 AND summary_status = 'running'`,
      [sessionId],
    );
  }

  /** Ended sessions whose summary is still to be made (LLM was down or over budget), oldest first. */
  async pendingSummaries(limit: number, staleMinutes = 10): Promise<Session[]> {
    const rows = await this.sql.select<SessionRow>(
      `SELECT * FROM memory_sessions WHERE status = 'ended' AND (summary_status = 'pending'
         OR (summary_status = 'running' AND summary_claimed_at < now() - make_interval(mins => $2)))
       ORDER BY ended_at LIMIT $1`,
      [limit, staleMinutes],
    );
    return rows.map((r) => this.fromRow(r));
  }

  /** Active sessions idle for longer than `idleMinutes` (a safety net for lost idle jobs). */
  async idleSessions(idleMinutes: number, limit: number): Promise<Session[]> {
    const rows = await this.sql.select<SessionRow>(
      `SELECT * FROM memory_sessions WHERE status = 'active'
         AND last_activity_at < now() - make_interval(secs => $1) ORDER BY last_activity_at LIMIT $2`,
      [idleMinutes * 60, limit],
    );
    return rows.map((r) => this.fromRow(r));
  }

  async deleteForUser(userId: string, transaction?: Transaction): Promise<void> {
    await this.sql.execute('DELETE FROM memory_messages WHERE user_id = $1', [userId], transaction);
    await this.sql.execute('DELETE FROM memory_sessions WHERE user_id = $1', [userId], transaction);
  }

  private fromRow(row: SessionRow): Session {
    return {
      id: row.id,
      userId: row.user_id,
      chatId: row.chat_id,
      status: row.status,
      summaryStatus: row.summary_status,
      endReason: row.end_reason,
      title: row.title_enc ? this.crypto.decrypt(row.title_enc) : null,
      summary: row.summary_enc ? this.crypto.decrypt(row.summary_enc) : null,
      messageCount: Number(row.message_count),
      idleJobId: row.idle_job_id,
      startedAt: new Date(row.started_at),
      lastActivityAt: new Date(row.last_activity_at),
      endedAt: row.ended_at ? new Date(row.ended_at) : null,
    };
  }

  private messageFromRow(row: MessageRow): StoredMessage {
    return {
      id: String(row.id),
      sessionId: row.session_id,
      role: row.role,
      content: this.crypto.decrypt(row.content_enc),
      chars: Number(row.chars),
      createdAt: new Date(row.created_at),
    };
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
