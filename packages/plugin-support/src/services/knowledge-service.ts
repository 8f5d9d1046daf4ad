import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { VectorStore } from '@botloom/core';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { KnowledgeNotFoundError, KnowledgeReadOnlyError, SupportError } from './errors.js';
import { chunkKnowledge, type KnowledgeChunk, type TextSplitter } from './knowledge-chunks.js';
import { LexicalIndex } from './lexical-index.js';

export const KNOWLEDGE_NAMESPACE = 'support:kb';
export const KNOWLEDGE_FILE_EXTENSIONS = ['.txt', '.md'];
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/**
 * Version of the chunking: part of the mark an indexed item carries, so items indexed by an
 * older chunker (or with another chunk size) are re-indexed at the next sync.
 */
const CHUNKER_VERSION = 'sections-1';
/** Vector candidates fetched per question, as a multiple of k, before hybrid re-ranking. */
const CANDIDATE_FACTOR = 3;
const MIN_CANDIDATES = 12;

export type { TextSplitter } from './knowledge-chunks.js';

export interface KnowledgeItem {
  id: string;
  title: string;
  source: 'file' | 'admin';
  filePath: string | null;
  content: string;
  contentHash: string;
  chunkCount: number;
  indexed: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A retrieved passage: one chunk of one knowledge item. */
export interface KnowledgePassage {
  itemId: string;
  title: string;
  chunk: number;
  /** The section heading of the chunk, if it has one. */
  heading?: string | null;
  /** The chunk: its section heading (if any) on the first line, then the section text. */
  text: string;
  /** Confidence in [0, 1] (hybrid: vector and lexical, see `search`); the threshold applies to it. */
  score: number;
  /** Cosine similarity of the embeddings. */
  vectorScore?: number;
  /** IDF-weighted share of the question's words found in the passage. */
  lexicalScore?: number;
}

export interface KnowledgeOptions {
  chunkSize: number;
  /**
   * Weight of the lexical score in the confidence (0..1, default 0.5); the rest is the vector
   * score. 0 ranks by embeddings only.
   */
  lexicalWeight?: number;
}

export interface SyncReport {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
  errors: Array<{ file: string; error: string }>;
}

interface ItemRow {
  id: string;
  title: string;
  source: 'file' | 'admin';
  file_path: string | null;
  content: string;
  content_hash: string;
  chunk_count: number;
  indexed_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

function toItem(row: ItemRow, indexMark: (contentHash: string) => string): KnowledgeItem {
  return {
    id: row.id,
    title: row.title,
    source: row.source,
    filePath: row.file_path,
    content: row.content,
    contentHash: row.content_hash,
    chunkCount: row.chunk_count,
    indexed: row.indexed_hash === indexMark(row.content_hash),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function contentHash(title: string, content: string): string {
  return createHash('sha256').update(title).update('\u0000').update(content).digest('hex');
}

function titleFromFile(file: string): string {
  return (
    path
      .basename(file)
      .replace(/\.(txt|md)$/i, '')
      .replace(/[_-]+/g, ' ')
      .trim() || path.basename(file)
  );
}

/**
 * The company knowledge the assistant answers from: items come from .txt/.md files of a
 * directory and from the admin API. Each item is split into chunks and indexed in the vector
 * store namespace `support:kb`; an item is re-indexed only when its content hash changes.
 */
export class KnowledgeService {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lexical = new LexicalIndex();
  /** item id -> the index mark its lexical entry was built from */
  private readonly lexicalMarks = new Map<string, string>();

  constructor(
    private readonly db: Sequelize,
    private readonly vectors: VectorStore,
    private readonly split: TextSplitter,
    private readonly options: KnowledgeOptions,
    private readonly logger: Logger,
  ) {}

  /** What `indexed_hash` holds once an item is indexed with the current chunking. */
  private indexMark = (hash: string): string => `${hash}:${CHUNKER_VERSION}:${this.options.chunkSize}`;

  /** The chunks of an item's content, one topic each (see `chunkKnowledge`). */
  chunksOf(content: string): Promise<KnowledgeChunk[]> {
    return chunkKnowledge(content, this.options.chunkSize, this.split);
  }

  /** Serialises index changes (directory scans and admin edits may overlap). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async list(): Promise<KnowledgeItem[]> {
    const rows = await this.db.query<ItemRow>('SELECT * FROM support_knowledge_items ORDER BY title, id', {
      type: QueryTypes.SELECT,
    });
    return rows.map((row) => toItem(row, this.indexMark));
  }

  async get(id: string): Promise<KnowledgeItem | null> {
    const rows = await this.db.query<ItemRow>('SELECT * FROM support_knowledge_items WHERE id = :id', {
      type: QueryTypes.SELECT,
      replacements: { id },
    });
    return rows[0] ? toItem(rows[0], this.indexMark) : null;
  }

  async create(input: { title: string; content: string }): Promise<KnowledgeItem> {
    return this.exclusive(async () => {
      const id = randomUUID();
      await this.db.query(
        `INSERT INTO support_knowledge_items (id, title, source, content, content_hash)
         VALUES (:id, :title, 'admin', :content, :hash)`,
        {
          replacements: {
            id,
            title: input.title,
            content: input.content,
            hash: contentHash(input.title, input.content),
          },
        },
      );
      return this.index(id);
    });
  }

  async update(id: string, input: { title?: string; content?: string }): Promise<KnowledgeItem> {
    return this.exclusive(async () => {
      const item = await this.get(id);
      if (!item) throw new KnowledgeNotFoundError(id);
      if (item.source === 'file') {
        throw new KnowledgeReadOnlyError(id, item.filePath, 'edit');
      }
      const title = input.title ?? item.title;
      const content = input.content ?? item.content;
      const hash = contentHash(title, content);
      if (hash === item.contentHash && item.indexed) return item;
      await this.db.query(
        `UPDATE support_knowledge_items SET title = :title, content = :content, content_hash = :hash, updated_at = now()
         WHERE id = :id`,
        { replacements: { id, title, content, hash } },
      );
      return this.index(id);
    });
  }

  async delete(id: string): Promise<void> {
    return this.exclusive(async () => {
      const item = await this.get(id);
      if (!item) throw new KnowledgeNotFoundError(id);
      if (item.source === 'file') {
        throw new KnowledgeReadOnlyError(id, item.filePath, 'delete');
      }
      await this.remove(item);
    });
  }

  private async remove(item: KnowledgeItem): Promise<void> {
    await this.vectors.delete(KNOWLEDGE_NAMESPACE, chunkIds(item.id, item.chunkCount));
    await this.db.query('DELETE FROM support_knowledge_items WHERE id = :id', {
      replacements: { id: item.id },
    });
    this.lexical.remove(item.id);
    this.lexicalMarks.delete(item.id);
  }

  /** (Re)indexes one item: drops its old chunks, splits and adds the new ones, records the indexed hash. */
  private async index(id: string): Promise<KnowledgeItem> {
    const item = await this.get(id);
    if (!item) throw new KnowledgeNotFoundError(id);
    const chunks = await this.chunksOf(item.content);
    await this.vectors.delete(
      KNOWLEDGE_NAMESPACE,
      chunkIds(item.id, Math.max(item.chunkCount, chunks.length)),
    );
    if (chunks.length) {
      await this.vectors.add(
        KNOWLEDGE_NAMESPACE,
        chunks.map((c, i) => ({
          id: `${item.id}:${i}`,
          text: `${item.title}\n${c.text}`,
          metadata: { itemId: item.id, title: item.title, chunk: i, heading: c.heading },
        })),
      );
    }
    const mark = this.indexMark(item.contentHash);
    await this.db.query(
      `UPDATE support_knowledge_items SET chunk_count = :count, indexed_hash = :hash WHERE id = :id`,
      { replacements: { id, count: chunks.length, hash: mark } },
    );
    this.setLexical(item.id, item.title, chunks, mark);
    this.logger.info({ item: id, title: item.title, chunks: chunks.length }, 'knowledge item indexed');
    return { ...item, chunkCount: chunks.length, indexed: true };
  }

  /** Indexes items whose last indexing did not finish (e.g. the process stopped midway). */
  async reindexStale(): Promise<number> {
    return this.exclusive(async () => {
      const rows = await this.db.query<{ id: string; content_hash: string; indexed_hash: string | null }>(
        'SELECT id, content_hash, indexed_hash FROM support_knowledge_items',
        { type: QueryTypes.SELECT },
      );
      const stale = rows.filter((row) => row.indexed_hash !== this.indexMark(row.content_hash));
      for (const row of stale) await this.index(row.id);
      return stale.length;
    });
  }

  /**
   * Brings file items in line with the directory: new files are added, files whose content
   * hash changed are re-indexed, items of deleted files are removed.
   */
  async syncDirectory(dir: string): Promise<SyncReport> {
    return this.exclusive(async () => {
      const report: SyncReport = { added: [], updated: [], removed: [], unchanged: 0, errors: [] };
      const absolute = path.resolve(dir);
      const files = await listKnowledgeFiles(absolute);
      const existing = new Map(
        (await this.list()).filter((i) => i.source === 'file' && i.filePath).map((i) => [i.filePath!, i]),
      );
      for (const file of files) {
        const relative = path.relative(absolute, file);
        try {
          const info = await stat(file);
          if (info.size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
          const content = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
          const title = titleFromFile(file);
          const hash = contentHash(title, content);
          const item = existing.get(relative);
          existing.delete(relative);
          if (item && item.contentHash === hash && item.indexed) {
            report.unchanged += 1;
            continue;
          }
          if (item) {
            await this.db.query(
              `UPDATE support_knowledge_items SET title = :title, content = :content, content_hash = :hash, updated_at = now()
               WHERE id = :id`,
              { replacements: { id: item.id, title, content, hash } },
            );
            await this.index(item.id);
            report.updated.push(relative);
          } else {
            const id = randomUUID();
            await this.db.query(
              `INSERT INTO support_knowledge_items (id, title, source, file_path, content, content_hash)
               VALUES (:id, :title, 'file', :file, :content, :hash)`,
              { replacements: { id, title, file: relative, content, hash } },
            );
            await this.index(id);
            report.added.push(relative);
          }
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.logger.error({ file: relative, err }, 'knowledge file could not be indexed');
          report.errors.push({ file: relative, error: message });
        }
      }
      for (const [relative, item] of existing) {
        await this.remove(item);
        report.removed.push(relative);
      }
      if (report.added.length || report.updated.length || report.removed.length) {
        this.logger.info({ ...report, dir: absolute }, 'knowledge directory synchronised');
      }
      return report;
    });
  }

  private setLexical(itemId: string, title: string, chunks: KnowledgeChunk[], mark: string): void {
    this.lexical.set(
      itemId,
      chunks.map((c, i) => ({
        key: `${itemId}:${i}`,
        text: `${title}\n${c.text}`,
        title,
        heading: c.heading,
        chunk: i,
      })),
    );
    this.lexicalMarks.set(itemId, mark);
  }

  /**
   * Keeps the lexical index in step with the indexed items in the database (another instance,
   * or a restart, may have indexed them): only items whose index mark changed are re-chunked.
   */
  private async refreshLexical(): Promise<void> {
    const rows = await this.db.query<{ id: string; indexed_hash: string | null }>(
      'SELECT id, indexed_hash FROM support_knowledge_items WHERE indexed_hash IS NOT NULL',
      { type: QueryTypes.SELECT },
    );
    const current = new Map(rows.map((r) => [r.id, r.indexed_hash!]));
    for (const id of this.lexical.items()) {
      if (!current.has(id)) {
        this.lexical.remove(id);
        this.lexicalMarks.delete(id);
      }
    }
    const changed = rows.filter((r) => this.lexicalMarks.get(r.id) !== r.indexed_hash).map((r) => r.id);
    if (!changed.length) return;
    const items = await this.db.query<{ id: string; title: string; content: string; content_hash: string }>(
      'SELECT id, title, content, content_hash FROM support_knowledge_items WHERE id IN (:ids)',
      { type: QueryTypes.SELECT, replacements: { ids: changed } },
    );
    for (const item of items) {
      const mark = current.get(item.id)!;
      // Indexed by another chunker version: leave it out until it is re-indexed.
      if (mark !== this.indexMark(item.content_hash)) continue;
      this.setLexical(item.id, item.title, await this.chunksOf(item.content), mark);
    }
  }

  /**
   * The passages that best match the question, best first. Hybrid: vector candidates and
   * lexical matches are merged, and each passage's confidence is
   * `(1 - w) · vector + w · lexical` (w = `lexicalWeight`). The lexical score is the
   * IDF-weighted share of the question's content words (light stemming) found in the passage,
   * so a question naming a word of exactly one passage ranks it high even when the embedding
   * similarity of a short question is low, and a question whose key word occurs nowhere in the
   * knowledge scores low. A passage found only lexically gets the lowest vector score of the
   * candidates (it is at most that).
   */
  async search(question: string, k: number): Promise<KnowledgePassage[]> {
    const weight = Math.min(1, Math.max(0, this.options.lexicalWeight ?? 0.5));
    const candidates = Math.max(k * CANDIDATE_FACTOR, MIN_CANDIDATES);
    const matches = await this.vectors.search(KNOWLEDGE_NAMESPACE, question, { k: candidates });
    const passages = new Map<string, KnowledgePassage>();
    for (const m of matches) {
      const meta = (m.metadata ?? {}) as {
        itemId?: string;
        title?: string;
        chunk?: number;
        heading?: string | null;
      };
      const [itemId, chunk] = m.id.split(':');
      const title = meta.title ?? '';
      passages.set(m.id, {
        itemId: meta.itemId ?? itemId ?? m.id,
        title,
        chunk: meta.chunk ?? Number(chunk ?? 0),
        heading: meta.heading ?? null,
        text: title && m.text.startsWith(`${title}\n`) ? m.text.slice(title.length + 1) : m.text,
        score: m.score,
        vectorScore: m.score,
        lexicalScore: 0,
      });
    }
    if (weight > 0) {
      await this.refreshLexical();
      const floor = matches.length ? Math.min(...matches.map((m) => m.score)) : 0;
      for (const [key, lexicalScore] of this.lexical.score(question)) {
        const known = passages.get(key);
        if (known) {
          known.lexicalScore = lexicalScore;
          continue;
        }
        const chunk = this.lexical.chunk(key);
        if (!chunk) continue;
        passages.set(key, {
          itemId: key.slice(0, key.lastIndexOf(':')),
          title: chunk.title,
          heading: chunk.heading,
          chunk: chunk.chunk,
          text: chunk.text.slice(chunk.title.length + 1),
          score: floor,
          vectorScore: floor,
          lexicalScore,
        });
      }
      for (const p of passages.values())
        p.score = (1 - weight) * (p.vectorScore ?? 0) + weight * (p.lexicalScore ?? 0);
    }
    return [...passages.values()].sort((a, b) => b.score - a.score).slice(0, k);
  }
}

function chunkIds(itemId: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${itemId}:${i}`);
}

async function listKnowledgeFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SupportError('KNOWLEDGE_DIR_MISSING', `Knowledge directory ${dir} does not exist`);
    }
    throw err;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.')) files.push(...(await listKnowledgeFiles(full)));
    else if (entry.isFile() && KNOWLEDGE_FILE_EXTENSIONS.includes(path.extname(entry.name).toLowerCase())) {
      files.push(full);
    }
  }
  return files.sort();
}
