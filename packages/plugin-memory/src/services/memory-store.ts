import { randomUUID } from 'node:crypto';
import type { Crypto, VectorStore } from '@botloom/core';
import type { Sql } from '../store/sql.js';
import { MemoryNotFoundError } from './errors.js';
import { isUuid } from './session-service.js';

export type MemoryKind = 'summary' | 'fact';

export interface MemoryItem {
  id: string;
  userId: string;
  sessionId: string | null;
  kind: MemoryKind;
  content: string;
  createdAt: Date;
}

export interface RetrievedMemory extends MemoryItem {
  /** Cosine similarity to the query. */
  score: number;
}

interface MemoryRow {
  id: string;
  user_id: string;
  session_id: string | null;
  kind: MemoryKind;
  content_enc: string;
  created_at: Date;
}

/** The vector namespace of one user's memories. */
export function memoryNamespace(userId: string): string {
  return `memory:user:${userId}`;
}

/**
 * Long-term memory of each user: rows in `memory_items` (encrypted, the source of truth) and
 * their embeddings in the user's own vector namespace, so one user's search can never return
 * another user's memory.
 */
export class MemoryStore {
  constructor(
    private readonly sql: Sql,
    private readonly crypto: Crypto,
    private readonly vectors: VectorStore,
  ) {}

  async remember(
    userId: string,
    sessionId: string | null,
    items: { kind: MemoryKind; content: string }[],
  ): Promise<MemoryItem[]> {
    const clean = items.map((i) => ({ ...i, content: i.content.trim() })).filter((i) => i.content.length > 0);
    if (clean.length === 0) return [];
    const created = await this.sql.transaction(async (t) => {
      const out: MemoryItem[] = [];
      for (const item of clean) {
        const row = await this.sql.one<MemoryRow>(
          `INSERT INTO memory_items (id, user_id, session_id, kind, content_enc) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [randomUUID(), userId, sessionId, item.kind, this.crypto.encrypt(item.content)],
          t,
        );
        out.push(this.fromRow(row!));
      }
      return out;
    });
    try {
      await this.vectors.add(
        memoryNamespace(userId),
        created.map((m) => ({
          id: m.id,
          text: m.content,
          metadata: { kind: m.kind, sessionId: m.sessionId },
        })),
      );
    } catch (error) {
      // Without vectors the rows are unreachable by search: keep the two stores consistent.
      await this.sql.execute('DELETE FROM memory_items WHERE id = ANY($1::uuid[])', [
        created.map((m) => m.id),
      ]);
      throw error;
    }
    return created;
  }

  /** The memories most similar to `query`, best first. Rows are re-read so forgotten items never surface. */
  async retrieve(userId: string, query: string, k: number, minScore = -1): Promise<RetrievedMemory[]> {
    if (k <= 0 || !query.trim()) return [];
    const matches = await this.vectors.search(memoryNamespace(userId), query, { k, minScore });
    if (matches.length === 0) return [];
    const rows = await this.sql.select<MemoryRow>(
      'SELECT * FROM memory_items WHERE user_id = $1 AND id = ANY($2::uuid[])',
      [userId, matches.map((m) => m.id).filter(isUuid)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: RetrievedMemory[] = [];
    for (const match of matches) {
      const row = byId.get(match.id);
      if (row) out.push({ ...this.fromRow(row), score: match.score });
    }
    return out.sort((a, b) => b.score - a.score);
  }

  async list(userId: string, page: number, pageSize: number) {
    const total = await this.count(userId);
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const current = Math.min(Math.max(0, page), pages - 1);
    const rows = await this.sql.select<MemoryRow>(
      'SELECT * FROM memory_items WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3',
      [userId, pageSize, current * pageSize],
    );
    return { items: rows.map((r) => this.fromRow(r)), total, page: current, pages };
  }

  /** Everyone's memories (or one user's, of one kind), newest first, for the admin panel. */
  async recent(query: {
    userId?: string;
    kind?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: MemoryItem[]; total: number }> {
    const where = '($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR kind = $2)';
    const params = [query.userId ?? null, query.kind ?? null];
    const total = Number(
      (await this.sql.one<{ n: string }>(`SELECT count(*) AS n FROM memory_items WHERE ${where}`, params))
        ?.n ?? 0,
    );
    const rows = await this.sql.select<MemoryRow>(
      `SELECT * FROM memory_items WHERE ${where} ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`,
      [...params, query.limit, query.offset],
    );
    return { items: rows.map((r) => this.fromRow(r)), total };
  }

  async all(userId: string): Promise<MemoryItem[]> {
    const rows = await this.sql.select<MemoryRow>(
      'SELECT * FROM memory_items WHERE user_id = $1 ORDER BY created_at, id',
      [userId],
    );
    return rows.map((r) => this.fromRow(r));
  }

  async get(userId: string, id: string): Promise<MemoryItem> {
    const row = isUuid(id)
      ? await this.sql.one<MemoryRow>('SELECT * FROM memory_items WHERE id = $1 AND user_id = $2', [
          id,
          userId,
        ])
      : null;
    if (!row) throw new MemoryNotFoundError('memory', id);
    return this.fromRow(row);
  }

  async count(userId: string): Promise<number> {
    const row = await this.sql.one<{ n: string }>(
      'SELECT count(*) AS n FROM memory_items WHERE user_id = $1',
      [userId],
    );
    return Number(row?.n ?? 0);
  }

  /** Forgets one item of this user; an id of another user's item is "not found". */
  async forget(userId: string, id: string): Promise<void> {
    const removed = isUuid(id)
      ? await this.sql.execute('DELETE FROM memory_items WHERE id = $1 AND user_id = $2', [id, userId])
      : 0;
    if (removed === 0) throw new MemoryNotFoundError('memory', id);
    await this.vectors.delete(memoryNamespace(userId), [id]);
  }

  /** Removes the memories made from one session (before it is summarised again). */
  async forgetSession(userId: string, sessionId: string): Promise<void> {
    const rows = await this.sql.select<{ id: string }>(
      'DELETE FROM memory_items WHERE user_id = $1 AND session_id = $2 RETURNING id',
      [userId, sessionId],
    );
    if (rows.length > 0)
      await this.vectors.delete(
        memoryNamespace(userId),
        rows.map((r) => r.id),
      );
  }

  /** Forgets everything the agent remembers about the user (rows and the vector namespace). */
  async forgetAll(userId: string): Promise<number> {
    const removed = await this.sql.execute('DELETE FROM memory_items WHERE user_id = $1', [userId]);
    await this.vectors.deleteNamespace(memoryNamespace(userId));
    return removed;
  }

  /** Re-adds every row of the user to the vector store (after the index was lost or rebuilt empty). */
  async reindex(userId: string): Promise<number> {
    const items = await this.all(userId);
    await this.vectors.deleteNamespace(memoryNamespace(userId));
    if (items.length > 0) {
      await this.vectors.add(
        memoryNamespace(userId),
        items.map((m) => ({ id: m.id, text: m.content, metadata: { kind: m.kind, sessionId: m.sessionId } })),
      );
    }
    return items.length;
  }

  private fromRow(row: MemoryRow): MemoryItem {
    return {
      id: row.id,
      userId: row.user_id,
      sessionId: row.session_id,
      kind: row.kind,
      content: this.crypto.decrypt(row.content_enc),
      createdAt: new Date(row.created_at),
    };
  }
}
