import type { BudgetStatus, Llm } from '@botloom/core';
import type { Keyv } from 'keyv';
import type { Logger } from 'pino';
import type { Sql } from '../store/sql.js';
import { type MemoryStore, memoryNamespace } from './memory-store.js';
import type { ProfileService } from './profile-service.js';
import type { SessionLifecycle } from './session-lifecycle.js';
import type { SessionService } from './session-service.js';

/**
 * Access to core's per-user LLM usage records. Optional: when core offers no such API the
 * export carries only today's budget status and deletion cannot reach core's usage rows.
 */
export interface UserUsageAccess {
  list(userId: string): Promise<Record<string, unknown>[]>;
  deleteForUser(userId: string): Promise<number>;
}

/** The Kv keys this plugin keeps per user (all listed here so deletion cannot miss one). */
export const userKvKeys = (userId: string) => [`locale:${userId}`];

export const EXPORT_FORMAT = 'botloom.memory.export/v1';

export interface DeletionReport {
  profiles: number;
  sessions: number;
  messages: number;
  memories: number;
  vectorNamespaceDeleted: boolean;
  kvKeys: number;
  usageRows: number | null;
}

/** Export and erasure of everything the plugin (and core's LLM usage) holds about a user. */
export class UserDataService {
  constructor(
    private readonly sql: Sql,
    private readonly profiles: ProfileService,
    private readonly sessions: SessionService,
    private readonly memories: MemoryStore,
    private readonly lifecycle: SessionLifecycle,
    private readonly llm: Llm,
    private readonly kv: Keyv | null,
    private readonly usage: UserUsageAccess | null,
    private readonly logger: Logger,
  ) {}

  async export(userId: string) {
    const [profile, sessions, memories] = await Promise.all([
      this.profiles.get(userId),
      this.sessions.allForUser(userId),
      this.memories.all(userId),
    ]);
    const sessionsWithMessages = [];
    for (const s of sessions) {
      const messages = await this.sessions.messages(s.id);
      sessionsWithMessages.push({
        id: s.id,
        status: s.status,
        title: s.title,
        summary: s.summary,
        endReason: s.endReason,
        startedAt: s.startedAt.toISOString(),
        endedAt: s.endedAt?.toISOString() ?? null,
        messages: messages.map((m) => ({
          role: m.role,
          content: m.content,
          createdAt: m.createdAt.toISOString(),
        })),
      });
    }
    let budget: BudgetStatus | null = null;
    try {
      budget = await this.llm.budget(userId);
    } catch (error) {
      this.logger.warn({ err: error }, 'budget unavailable for export');
    }
    return {
      format: EXPORT_FORMAT,
      exportedAt: new Date().toISOString(),
      userId,
      profile: profile
        ? {
            role: profile.role,
            customInstruction: profile.customInstruction,
            answerLanguage: profile.answerLanguage,
            answerLength: profile.answerLength,
            createdAt: profile.createdAt.toISOString(),
            updatedAt: profile.updatedAt.toISOString(),
          }
        : null,
      sessions: sessionsWithMessages,
      memories: memories.map((m) => ({
        id: m.id,
        kind: m.kind,
        content: m.content,
        sessionId: m.sessionId,
        createdAt: m.createdAt.toISOString(),
      })),
      usage: {
        today: budget
          ? {
              used: budget.used,
              limit: budget.limit,
              remaining: budget.remaining,
              resetsAt: budget.resetsAt.toISOString(),
            }
          : null,
        records: this.usage ? await this.usage.list(userId) : null,
      },
    };
  }

  /** Deletes everything of the user: rows, vectors, kv keys, the idle job, core usage rows. */
  async delete(userId: string): Promise<DeletionReport> {
    const active = await this.sessions.active(userId);
    if (active) await this.lifecycle.cancelIdle(active);
    const counts = await this.sql.transaction(async (t) => {
      const memories = await this.sql.execute('DELETE FROM memory_items WHERE user_id = $1', [userId], t);
      const messages = await this.sql.execute('DELETE FROM memory_messages WHERE user_id = $1', [userId], t);
      const sessions = await this.sql.execute('DELETE FROM memory_sessions WHERE user_id = $1', [userId], t);
      const profiles = await this.sql.execute('DELETE FROM memory_profiles WHERE user_id = $1', [userId], t);
      return { memories, messages, sessions, profiles };
    });
    await this.memories.forgetAll(userId);
    let kvKeys = 0;
    if (this.kv) {
      for (const key of userKvKeys(userId)) if (await this.kv.delete(key)) kvKeys++;
    }
    const usageRows = this.usage ? await this.usage.deleteForUser(userId) : null;
    this.logger.info({ userId, ...counts, kvKeys, usageRows }, 'user data deleted');
    return { ...counts, vectorNamespaceDeleted: true, kvKeys, usageRows };
  }

  /** Used by tests and the admin API: whether anything of the user is left in this plugin. */
  async remaining(userId: string) {
    const count = async (table: string) =>
      Number(
        (await this.sql.one<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE user_id = $1`, [userId]))
          ?.n,
      );
    return {
      profiles: await count('memory_profiles'),
      sessions: await count('memory_sessions'),
      messages: await count('memory_messages'),
      memories: await count('memory_items'),
      namespace: memoryNamespace(userId),
    };
  }
}
