import type { LlmUsageService } from '@botloom/core';
import type { Sql } from '../store/sql.js';
import type { MemoryItem, MemoryStore } from './memory-store.js';
import type { Session, SessionService } from './session-service.js';

export interface AdminUserRow {
  userId: string;
  sessions: number;
  activeSessions: number;
  messages: number;
  memories: number;
  lastActivityAt: string | null;
  tokens: { total: number; today: number } | null;
}

/** Read models and limit overrides for the admin API. Content is only returned when asked for. */
export class MemoryAdminService {
  constructor(
    private readonly sql: Sql,
    private readonly sessions: SessionService,
    private readonly memories: MemoryStore,
    private readonly usage: LlmUsageService | null,
  ) {}

  get usageAvailable(): boolean {
    return this.usage !== null;
  }

  async users(limit: number, offset: number): Promise<{ items: AdminUserRow[]; total: number }> {
    const rows = await this.sql.select<{
      user_id: string;
      sessions: string;
      active: string;
      messages: string;
      memories: string;
      last_activity_at: Date | null;
    }>(
      `WITH users AS (
         SELECT user_id FROM memory_sessions UNION SELECT user_id FROM memory_profiles UNION SELECT user_id FROM memory_items
       )
       SELECT u.user_id,
         (SELECT count(*) FROM memory_sessions s WHERE s.user_id = u.user_id) AS sessions,
         (SELECT count(*) FROM memory_sessions s WHERE s.user_id = u.user_id AND s.status = 'active') AS active,
         (SELECT count(*) FROM memory_messages m WHERE m.user_id = u.user_id) AS messages,
         (SELECT count(*) FROM memory_items i WHERE i.user_id = u.user_id) AS memories,
         (SELECT max(last_activity_at) FROM memory_sessions s WHERE s.user_id = u.user_id) AS last_activity_at
       FROM users u ORDER BY last_activity_at DESC NULLS LAST, u.user_id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    const total = Number(
      (
        await this.sql.one<{ n: string }>(
          `SELECT count(*) AS n FROM (SELECT user_id FROM memory_sessions UNION SELECT user_id FROM memory_profiles
             UNION SELECT user_id FROM memory_items) u`,
        )
      )?.n ?? 0,
    );
    const tokens = await this.tokensByUser(rows.map((r) => r.user_id));
    return {
      total,
      items: rows.map((r) => ({
        userId: r.user_id,
        sessions: Number(r.sessions),
        activeSessions: Number(r.active),
        messages: Number(r.messages),
        memories: Number(r.memories),
        lastActivityAt: r.last_activity_at ? new Date(r.last_activity_at).toISOString() : null,
        tokens: tokens ? (tokens.get(r.user_id) ?? { total: 0, today: 0 }) : null,
      })),
    };
  }

  private async tokensByUser(users: string[]): Promise<Map<string, { total: number; today: number }> | null> {
    if (!this.usage || users.length === 0) return this.usage ? new Map() : null;
    const out = new Map<string, { total: number; today: number }>();
    const today = new Date().toISOString().slice(0, 10);
    for (const user of users) {
      const [all] = await this.usage.query({ user, plugin: 'memory', groupBy: [] });
      const [day] = await this.usage.query({ user, plugin: 'memory', from: today, to: today, groupBy: [] });
      out.set(user, { total: all?.totalTokens ?? 0, today: day?.totalTokens ?? 0 });
    }
    return out;
  }

  async userSessions(userId: string, withContent: boolean) {
    const sessions = await this.sessions.allForUser(userId);
    return sessions.reverse().map((s) => sessionView(s, withContent));
  }

  /** Sessions of every user (or one), latest activity first; titles and summaries only with content. */
  async recentSessions(query: { userId?: string; limit: number; offset: number }, withContent: boolean) {
    const { items, total } = await this.sessions.recent(query);
    return { items: items.map((s) => sessionView(s, withContent)), total };
  }

  /** Memories of every user (or one), newest first; the text only with content. */
  async recentMemories(
    query: { userId?: string; kind?: string; limit: number; offset: number },
    withContent: boolean,
  ) {
    const { items, total } = await this.memories.recent(query);
    return { items: items.map((m) => memoryView(m, withContent)), total };
  }

  async sessionMessages(sessionId: string, withContent: boolean) {
    const session = await this.sessions.get(sessionId);
    if (!session) return null;
    const messages = await this.sessions.messages(sessionId);
    return {
      session: sessionView(session, withContent),
      messages: messages.map((m) => ({
        id: m.id,
        role: m.role,
        chars: m.chars,
        createdAt: m.createdAt.toISOString(),
        ...(withContent ? { content: m.content } : {}),
      })),
    };
  }

  async limits(userId: string) {
    if (!this.usage) return null;
    return this.usage.getUserLimits(userId);
  }

  async setLimit(userId: string, scope: 'memory' | 'global', tokens: number | null) {
    if (!this.usage) return false;
    await this.usage.setUserLimit(scope === 'global' ? '*' : 'memory', userId, tokens);
    return true;
  }

  async stats() {
    const row = await this.sql.one<Record<string, string | null>>(
      `SELECT
         (SELECT count(DISTINCT user_id) FROM memory_sessions) AS users_with_sessions,
         (SELECT count(*) FROM memory_profiles) AS profiles,
         (SELECT count(*) FROM memory_sessions) AS sessions,
         (SELECT count(*) FROM memory_sessions WHERE status = 'active') AS active_sessions,
         (SELECT count(*) FROM memory_sessions WHERE summary_status IN ('pending', 'running')) AS pending_summaries,
         (SELECT count(*) FROM memory_messages) AS messages,
         (SELECT count(*) FROM memory_items) AS memories,
         (SELECT count(*) FROM memory_items WHERE kind = 'summary') AS summaries,
         (SELECT count(*) FROM memory_items WHERE kind = 'fact') AS facts,
         (SELECT count(DISTINCT user_id) FROM memory_items) AS users_with_memories,
         (SELECT max(n) FROM (SELECT count(*) AS n FROM memory_items GROUP BY user_id) x) AS max_memories_per_user`,
    );
    const n = (k: string) => Number(row?.[k] ?? 0);
    const usersWithMemories = n('users_with_memories');
    return {
      usersWithSessions: n('users_with_sessions'),
      profiles: n('profiles'),
      sessions: n('sessions'),
      activeSessions: n('active_sessions'),
      pendingSummaries: n('pending_summaries'),
      messages: n('messages'),
      memories: { total: n('memories'), summaries: n('summaries'), facts: n('facts') },
      usersWithMemories,
      avgMemoriesPerUser: usersWithMemories ? Math.round((n('memories') / usersWithMemories) * 100) / 100 : 0,
      maxMemoriesPerUser: n('max_memories_per_user'),
    };
  }

  /** A user's memories for the admin (content only with `withContent`). */
  async userMemories(userId: string, withContent: boolean) {
    const items = await this.memories.all(userId);
    return items.map((m) => memoryView(m, withContent));
  }
}

function memoryView(m: MemoryItem, withContent: boolean) {
  return {
    id: m.id,
    userId: m.userId,
    kind: m.kind,
    sessionId: m.sessionId,
    createdAt: m.createdAt.toISOString(),
    chars: m.content.length,
    ...(withContent ? { content: m.content } : {}),
  };
}

function sessionView(s: Session, withContent: boolean) {
  return {
    id: s.id,
    userId: s.userId,
    status: s.status,
    summaryStatus: s.summaryStatus,
    endReason: s.endReason,
    messageCount: s.messageCount,
    startedAt: s.startedAt.toISOString(),
    lastActivityAt: s.lastActivityAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    ...(withContent ? { title: s.title, summary: s.summary } : {}),
  };
}
