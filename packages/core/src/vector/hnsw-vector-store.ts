import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import type { Crypto } from '../crypto/types.js';
import { BotloomError } from '../errors/botloom-error.js';
import { defineSignal, type Signals } from '../signals/types.js';
import {
  DEFAULT_HNSW_PARAMS,
  type HnswParams,
  IndexUnusableError,
  loadHnswLibrary,
  NamespaceIndex,
} from './hnsw-index.js';
import type { EmbeddingsProvider, VectorDocument, VectorMatch, VectorStore } from './types.js';

export interface HnswVectorStoreOptions {
  sequelize: Sequelize;
  embeddings: EmbeddingsProvider;
  /** Encrypts document text in `core_vector_documents` (the app's Crypto, ENCRYPTION_KEY). */
  crypto: Crypto;
  /** Indexes live under `<dataDir>/vectors/<namespace-hash>/`. */
  dataDir: string;
  logger?: Logger;
  hnsw?: Partial<HnswParams>;
  /** Index writes are batched: saved this long after the last change (default 1000 ms). */
  persistDelayMs?: number;
  /** Namespaces kept in memory; the least recently used are saved and unloaded (default 200). */
  maxLoadedNamespaces?: number;
  /** Filtered searches matching at most this many documents scan them exactly (default 2000). */
  exactSearchBelow?: number;
  /**
   * Cross-instance signals: each write announces `{ namespace, version }` on `core.vector`,
   * and other instances catch their loaded index up. Without it only the watermark check runs.
   */
  signals?: Signals;
  /**
   * How often loaded indexes are compared with the database's versions (the watermark check
   * that repairs a missed signal); default 30 s with signals (they carry every change, and a
   * reconnection runs the check at once), 5 s without; 0 = never (tests call `syncNow`).
   */
  syncIntervalMs?: number;
}

/** A write to a namespace: its new version. A hint; the database says what changed. */
export const vectorChangeSignal = defineSignal(
  'core.vector',
  z.object({ namespace: z.string().min(1).max(256), version: z.number().int().positive() }),
);

/** Change-log entries older than this are pruned; an instance further behind rebuilds instead. */
const CHANGE_LOG_KEEP_MS = 60 * 60 * 1000;
/** Rows added to a new index per step; the event loop serves other work between steps. */
const BUILD_CHUNK = 500;

/** A stored text: ciphertext, or plaintext in rows written before texts were encrypted. */
interface StoredText {
  id: string;
  text: string;
  text_encrypted: boolean;
}

interface LoadedNamespace {
  index: NamespaceIndex;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  /** The namespace version (core_vector_namespaces) this index reflects. */
  version: number;
}

export class VectorStoreError extends BotloomError {}

const MAX_ID_LENGTH = 256;
const MAX_NAMESPACE_LENGTH = 256;
const MAX_TEXT_LENGTH = 1_000_000;
const MAX_METADATA_BYTES = 64 * 1024;
const INSERT_BATCH = 500;
const ENCRYPT_BATCH = 500;

function checkNamespace(namespace: string): void {
  if (typeof namespace !== 'string' || namespace.length === 0 || namespace.length > MAX_NAMESPACE_LENGTH) {
    throw new VectorStoreError(
      'VECTOR_BAD_NAMESPACE',
      `A namespace must be 1..${MAX_NAMESPACE_LENGTH} characters`,
    );
  }
}

function vectorLiteral(vector: number[]): string {
  return `{${vector.map((v) => (Number.isFinite(v) ? v : 0)).join(',')}}`;
}

/**
 * The VectorStore: PostgreSQL (`core_vector_documents`) is the source of truth, and each
 * namespace has an HNSW index (langchain's HNSWLib over hnswlib-node) persisted under the
 * data directory. An index that is missing, corrupt, built with another embeddings model,
 * or out of step with the database is rebuilt from the database on first use.
 *
 * Document text is stored encrypted with core Crypto (AES-256-GCM) and decrypted only for
 * what leaves the store (search results) or must be embedded again (model change). Metadata
 * and embeddings stay in the clear (filters need them); the index files hold vectors, ids and
 * metadata, never text.
 *
 * Several instances: each keeps its own index in its own data directory. Every write bumps
 * the namespace's version and logs the changed ids in the same transaction
 * (core_vector_namespaces, core_vector_changes), then announces the version on the signal
 * `core.vector`; an instance with the namespace loaded applies the changes from its version
 * (fetching the rows from PostgreSQL). A periodic watermark check compares every loaded
 * index's version with the database's, so a lost signal is repaired on the next check. A
 * loaded index that must be rebuilt (a change log pruned past it, a dropped namespace,
 * compaction) keeps serving searches until the new one replaces it.
 */
export class HnswVectorStore implements VectorStore {
  private readonly loaded = new Map<string, LoadedNamespace>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly params: HnswParams;
  private readonly persistDelayMs: number;
  private readonly maxLoaded: number;
  private readonly exactBelow: number;
  private closed = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private lastPrune = 0;

  constructor(private readonly options: HnswVectorStoreOptions) {
    this.params = { ...DEFAULT_HNSW_PARAMS, ...options.hnsw };
    this.persistDelayMs = options.persistDelayMs ?? 1000;
    this.maxLoaded = options.maxLoadedNamespaces ?? 200;
    this.exactBelow = options.exactSearchBelow ?? 2000;
  }

  /** Where the index of `namespace` lives. */
  indexDir(namespace: string): string {
    const hash = createHash('sha256').update(namespace).digest('hex').slice(0, 32);
    return path.join(this.options.dataDir, 'vectors', hash);
  }

  async add(namespace: string, documents: VectorDocument[]): Promise<void> {
    checkNamespace(namespace);
    this.checkOpen();
    const byId = new Map<string, VectorDocument>();
    for (const doc of documents) {
      if (typeof doc?.id !== 'string' || doc.id.length === 0 || doc.id.length > MAX_ID_LENGTH) {
        throw new VectorStoreError(
          'VECTOR_BAD_DOCUMENT',
          `A document id must be 1..${MAX_ID_LENGTH} characters`,
        );
      }
      if (typeof doc.text !== 'string' || doc.text.length > MAX_TEXT_LENGTH) {
        throw new VectorStoreError(
          'VECTOR_BAD_DOCUMENT',
          `Document "${doc.id}" needs a text of at most ${MAX_TEXT_LENGTH} characters`,
        );
      }
      const metadata = doc.metadata ?? {};
      if (typeof metadata !== 'object' || Array.isArray(metadata)) {
        throw new VectorStoreError('VECTOR_BAD_DOCUMENT', `Metadata of "${doc.id}" must be an object`);
      }
      if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
        throw new VectorStoreError('VECTOR_BAD_DOCUMENT', `Metadata of "${doc.id}" is larger than 64 KiB`);
      }
      byId.set(doc.id, { id: doc.id, text: doc.text, metadata });
    }
    const docs = [...byId.values()];
    if (docs.length === 0) return;
    // Embedding may be a slow remote call: do it before taking the namespace lock.
    const vectors = await this.options.embeddings.embedDocuments(docs.map((d) => d.text));
    const version = await this.withLock(namespace, async () => {
      const entry = await this.ensureLoaded(namespace);
      const written = await this.upsertRows(namespace, docs, vectors);
      try {
        await entry.index.add(
          docs.map((d, i) => ({ id: d.id, embedding: vectors[i]!, metadata: d.metadata ?? {} })),
        );
      } catch (error) {
        // The database has the rows; drop the in-memory index so the next use rebuilds it.
        this.unload(namespace);
        throw error;
      }
      this.advance(namespace, entry, written);
      this.markDirty(namespace, entry);
      return written;
    });
    await this.announce(namespace, version);
  }

  async search(
    namespace: string,
    query: string,
    options: { k?: number; filter?: Record<string, unknown>; minScore?: number } = {},
  ): Promise<VectorMatch[]> {
    checkNamespace(namespace);
    this.checkOpen();
    const k = Math.min(Math.max(Math.floor(options.k ?? 5), 1), 1000);
    const vector = await this.options.embeddings.embedQuery(query);
    const entry =
      this.touch(namespace) ?? (await this.withLock(namespace, () => this.ensureLoaded(namespace)));
    const hits = await entry.index.search(vector, k, options.filter, this.exactBelow);
    const wanted = hits.filter((h) => options.minScore === undefined || h.score >= options.minScore);
    if (wanted.length === 0) return [];
    const rows = await this.options.sequelize.query<StoredText & { metadata: Record<string, unknown> }>(
      'SELECT id, text, text_encrypted, metadata FROM core_vector_documents WHERE namespace = $1 AND id = ANY($2::text[])',
      { bind: [namespace, wanted.map((h) => h.id)], type: QueryTypes.SELECT },
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return wanted
      .filter((h) => byId.has(h.id))
      .map((h) => {
        const row = byId.get(h.id)!;
        return {
          id: h.id,
          text: this.readText(namespace, row),
          metadata: row.metadata ?? {},
          score: Math.max(-1, Math.min(1, h.score)),
        };
      })
      .sort((a, b) => b.score - a.score);
  }

  async delete(namespace: string, ids: string[]): Promise<void> {
    checkNamespace(namespace);
    this.checkOpen();
    if (ids.length === 0) return;
    const version = await this.withLock(namespace, async () => {
      const entry = await this.ensureLoaded(namespace);
      const written = await this.options.sequelize.transaction(async (transaction) => {
        await this.options.sequelize.query(
          'DELETE FROM core_vector_documents WHERE namespace = $1 AND id = ANY($2::text[])',
          { bind: [namespace, ids], transaction },
        );
        return this.logChange(transaction, namespace, 'delete', ids);
      });
      if (entry.index.remove(ids) > 0) this.markDirty(namespace, entry);
      this.advance(namespace, entry, written);
      return written;
    });
    await this.announce(namespace, version);
  }

  async deleteNamespace(namespace: string): Promise<void> {
    checkNamespace(namespace);
    this.checkOpen();
    const version = await this.withLock(namespace, async () => {
      const written = await this.options.sequelize.transaction(async (transaction) => {
        await this.options.sequelize.query('DELETE FROM core_vector_documents WHERE namespace = $1', {
          bind: [namespace],
          transaction,
        });
        return this.logChange(transaction, namespace, 'drop', []);
      });
      this.unload(namespace);
      await rm(this.indexDir(namespace), { recursive: true, force: true });
      return written;
    });
    await this.announce(namespace, version);
  }

  async count(namespace: string): Promise<number> {
    checkNamespace(namespace);
    const [row] = await this.options.sequelize.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM core_vector_documents WHERE namespace = $1',
      { bind: [namespace], type: QueryTypes.SELECT },
    );
    return row?.count ?? 0;
  }

  /**
   * Rebuilds a namespace's index from the database now (e.g. after a bulk import by SQL). A
   * loaded index keeps answering searches until the new one replaces it.
   */
  async rebuild(namespace: string): Promise<void> {
    checkNamespace(namespace);
    await this.withLock(namespace, async () => {
      const fresh = await this.buildFromDatabase(namespace, 'requested');
      const entry = this.loaded.get(namespace);
      if (entry) {
        entry.index = fresh.index;
        entry.version = fresh.version;
        entry.dirty = false;
      } else {
        this.remember(namespace, fresh);
      }
    });
  }

  /**
   * Starts keeping loaded indexes in step with other instances: subscribes to `core.vector`
   * (when signals are given) and runs the watermark check every `syncIntervalMs`.
   */
  async startSync(): Promise<void> {
    const signals = this.options.signals;
    if (signals && !this.unsubscribe) {
      this.unsubscribe = await signals.subscribe(
        vectorChangeSignal,
        (change, meta) => {
          if (meta.fromThisInstance) return;
          const entry = this.loaded.get(change.namespace);
          if (entry && entry.version < change.version) this.catchUpInBackground(change.namespace);
        },
        { onGap: () => void this.syncNow().catch(() => undefined) },
      );
    }
    const every = this.options.syncIntervalMs ?? (signals ? 30_000 : 5000);
    if (every > 0 && !this.syncTimer) {
      this.syncTimer = setInterval(() => {
        this.syncNow().catch((error) =>
          this.options.logger?.warn(
            { err: error },
            'vector watermark check failed; retrying on the next one',
          ),
        );
      }, every);
      this.syncTimer.unref();
    }
  }

  /**
   * The watermark check: brings every loaded index up to its namespace's version in the
   * database (repairs what a lost signal left behind) and prunes the old change log.
   */
  async syncNow(): Promise<void> {
    if (this.closed) return;
    const names = [...this.loaded.keys()];
    if (names.length > 0) {
      const rows = await this.options.sequelize.query<{ namespace: string; version: string }>(
        'SELECT namespace, version FROM core_vector_namespaces WHERE namespace = ANY($1::text[])',
        { bind: [names], type: QueryTypes.SELECT },
      );
      const behind = rows.filter(
        (r) => (this.loaded.get(r.namespace)?.version ?? Infinity) < Number(r.version),
      );
      await Promise.all(behind.map((r) => this.catchUp(r.namespace)));
    }
    if (Date.now() - this.lastPrune > CHANGE_LOG_KEEP_MS / 4) {
      this.lastPrune = Date.now();
      await this.options.sequelize.query(
        `DELETE FROM core_vector_changes WHERE at < now() - ${CHANGE_LOG_KEEP_MS} * interval '1 millisecond'`,
      );
    }
  }

  /**
   * Encrypts the text of rows still stored in plaintext (written before migration
   * `0411-vector-encrypt-text`, or by an older version of Botloom). Idempotent and safe to run
   * from several instances at once; `updated_at` is left alone, so indexes stay valid.
   * Returns how many rows it encrypted.
   */
  async encryptPlaintextRows(): Promise<number> {
    let encrypted = 0;
    let stalled = 0;
    for (;;) {
      const rows = await this.options.sequelize.query<{ namespace: string; id: string; text: string }>(
        `SELECT namespace, id, text FROM core_vector_documents WHERE NOT text_encrypted LIMIT ${ENCRYPT_BATCH}`,
        { type: QueryTypes.SELECT },
      );
      if (rows.length === 0) break;
      // `d.text = v.plain`: a row rewritten meanwhile keeps its new text and is picked up again.
      const [updated] = await this.options.sequelize.query(
        `UPDATE core_vector_documents AS d SET text = v.text, text_encrypted = true
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v(namespace, id, text, plain)
          WHERE d.namespace = v.namespace AND d.id = v.id AND NOT d.text_encrypted AND d.text = v.plain
          RETURNING d.id`,
        {
          bind: [
            rows.map((r) => r.namespace),
            rows.map((r) => r.id),
            rows.map((r) => this.options.crypto.encrypt(r.text)),
            rows.map((r) => r.text),
          ],
        },
      );
      const count = (updated as unknown[]).length;
      // Zero: another instance encrypted these rows first (fine), or something keeps rewriting
      // them in plaintext (give up after a few rounds rather than spin).
      stalled = count === 0 ? stalled + 1 : 0;
      if (stalled >= 10) {
        throw new VectorStoreError(
          'VECTOR_ENCRYPTION_STUCK',
          'Plaintext vector documents keep changing while being encrypted; is an older Botloom version writing to this database?',
        );
      }
      encrypted += count;
    }
    if (encrypted > 0) {
      this.options.logger?.info({ documents: encrypted }, 'encrypted the text of plaintext vector documents');
    }
    return encrypted;
  }

  /**
   * Throws VECTOR_DECRYPTION_FAILED when a stored text cannot be decrypted with the configured
   * key (ENCRYPTION_KEY changed or lost); checks one row, so it is cheap enough for start-up.
   */
  async checkEncryptionKey(): Promise<void> {
    const [row] = await this.options.sequelize.query<StoredText & { namespace: string }>(
      'SELECT namespace, id, text, text_encrypted FROM core_vector_documents WHERE text_encrypted LIMIT 1',
      { type: QueryTypes.SELECT },
    );
    if (row) this.readText(row.namespace, row);
  }

  /** Saves every index with unsaved changes. */
  async flush(): Promise<void> {
    await Promise.all(
      [...this.loaded.keys()].map((namespace) =>
        this.withLock(namespace, async () => {
          const entry = this.loaded.get(namespace);
          if (entry?.dirty) await this.persist(namespace, entry);
        }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.syncTimer) clearInterval(this.syncTimer);
    await this.unsubscribe?.().catch(() => undefined);
    await this.flush();
    this.closed = true;
    for (const entry of this.loaded.values()) clearTimeout(entry.timer);
    this.loaded.clear();
  }

  // --- internals ------------------------------------------------------------------------

  /**
   * Bumps the namespace's version and logs the change, in the write's transaction. The
   * version row stays locked until the commit, so versions of one namespace commit in order:
   * whoever reads version V can read every change up to V.
   */
  private async logChange(
    transaction: Transaction,
    namespace: string,
    op: 'upsert' | 'delete' | 'drop',
    ids: string[],
  ): Promise<number> {
    const [row] = await this.options.sequelize.query<{ version: string }>(
      `WITH v AS (
         INSERT INTO core_vector_namespaces AS n (namespace, version) VALUES ($1, 1)
         ON CONFLICT (namespace) DO UPDATE SET version = n.version + 1
         RETURNING version
       )
       INSERT INTO core_vector_changes (namespace, version, op, ids)
       SELECT $1, version, $2, $3::text[] FROM v
       RETURNING version`,
      { bind: [namespace, op, ids], type: QueryTypes.SELECT, transaction },
    );
    return Number(row!.version);
  }

  private async versionOf(namespace: string): Promise<number> {
    const [row] = await this.options.sequelize.query<{ version: string }>(
      'SELECT version FROM core_vector_namespaces WHERE namespace = $1',
      { bind: [namespace], type: QueryTypes.SELECT },
    );
    return Number(row?.version ?? 0);
  }

  /** After this instance's own write: the index is at `version` unless it missed one before it. */
  private advance(namespace: string, entry: LoadedNamespace, version: number): void {
    if (entry.version === version - 1) entry.version = version;
    else this.catchUpInBackground(namespace);
  }

  private async announce(namespace: string, version: number): Promise<void> {
    if (!this.options.signals) return;
    try {
      await this.options.signals.publish(vectorChangeSignal, { namespace, version });
    } catch (error) {
      // Other instances catch up on their next watermark check.
      this.options.logger?.warn({ err: error, namespace }, 'could not announce a vector change');
    }
  }

  private catchUpInBackground(namespace: string): void {
    void this.catchUp(namespace).catch((error) =>
      this.options.logger?.warn(
        { err: error, namespace },
        'vector index catch-up failed; the next check retries',
      ),
    );
  }

  /**
   * Brings a loaded index up to the database: applies the logged changes after its version
   * (the rows as they are now, so replaying is harmless), or rebuilds when the log no longer
   * reaches back that far or the namespace was dropped. Searches keep using the index
   * meanwhile: a rebuilt one replaces it only when complete.
   */
  private async catchUp(namespace: string): Promise<void> {
    if (this.closed) return;
    await this.withLock(namespace, async () => {
      const entry = this.loaded.get(namespace);
      if (!entry) return;
      const target = await this.versionOf(namespace);
      if (target <= entry.version) return;
      const changes = await this.options.sequelize.query<{ version: string; op: string; ids: string[] }>(
        `SELECT version, op, ids FROM core_vector_changes
          WHERE namespace = $1 AND version > $2 AND version <= $3 ORDER BY version`,
        { bind: [namespace, entry.version, target], type: QueryTypes.SELECT },
      );
      if (changes.length !== target - entry.version || changes.some((c) => c.op === 'drop')) {
        const fresh = await this.buildFromDatabase(namespace, 'caught up by rebuilding');
        entry.index = fresh.index;
        entry.version = fresh.version;
        entry.dirty = false;
        return;
      }
      const ids = [...new Set(changes.flatMap((c) => c.ids))];
      const rows = await this.options.sequelize.query<{
        id: string;
        metadata: Record<string, unknown>;
        embedding: number[];
        model: string;
      }>(
        'SELECT id, metadata, embedding, model FROM core_vector_documents WHERE namespace = $1 AND id = ANY($2::text[])',
        { bind: [namespace, ids], type: QueryTypes.SELECT },
      );
      const present = new Set(rows.map((r) => r.id));
      entry.index.remove(ids.filter((id) => !present.has(id)));
      const current = rows.filter((r) => r.model === this.options.embeddings.model);
      await entry.index.add(
        current.map((r) => ({ id: r.id, embedding: r.embedding.map(Number), metadata: r.metadata ?? {} })),
      );
      entry.version = target;
      this.markDirty(namespace, entry);
    });
  }

  private readText(namespace: string, row: StoredText): string {
    if (!row.text_encrypted) return row.text;
    try {
      return this.options.crypto.decrypt(row.text);
    } catch (error) {
      throw new VectorStoreError(
        'VECTOR_DECRYPTION_FAILED',
        `Cannot decrypt the text of vector document "${row.id}" in namespace "${namespace}": ENCRYPTION_KEY is not the key it was stored with (or the row was altered)`,
        { cause: error },
      );
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new VectorStoreError('VECTOR_STORE_CLOSED', 'The vector store is closed');
  }

  private async withLock<T>(namespace: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(namespace) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => {});
    this.locks.set(namespace, tail);
    tail.then(() => {
      if (this.locks.get(namespace) === tail) this.locks.delete(namespace);
    });
    return run;
  }

  private touch(namespace: string): LoadedNamespace | undefined {
    const entry = this.loaded.get(namespace);
    if (entry) {
      this.loaded.delete(namespace);
      this.loaded.set(namespace, entry);
    }
    return entry;
  }

  private remember(namespace: string, entry: LoadedNamespace): void {
    this.loaded.set(namespace, entry);
    while (this.loaded.size > this.maxLoaded) {
      const oldest = this.loaded.keys().next().value as string;
      if (oldest === namespace) break;
      const evicted = this.loaded.get(oldest)!;
      this.loaded.delete(oldest);
      clearTimeout(evicted.timer);
      if (evicted.dirty) {
        void this.withLock(oldest, () => this.persist(oldest, evicted)).catch((error) =>
          this.options.logger?.error(
            { err: error, namespace: oldest },
            'could not save an evicted vector index',
          ),
        );
      }
    }
  }

  private unload(namespace: string): void {
    const entry = this.loaded.get(namespace);
    if (entry) clearTimeout(entry.timer);
    this.loaded.delete(namespace);
  }

  private async dimensions(): Promise<number> {
    const embeddings = this.options.embeddings as EmbeddingsProvider & { probe?: () => Promise<number> };
    if (embeddings.dimensions > 0) return embeddings.dimensions;
    if (embeddings.probe) return embeddings.probe();
    throw new VectorStoreError(
      'VECTOR_NO_DIMENSIONS',
      'The embeddings provider does not know its vector size',
    );
  }

  private async fingerprint(
    namespace: string,
  ): Promise<{ count: number; updatedAt: string | null; version: number }> {
    const [row] = await this.options.sequelize.query<{
      count: number;
      updated_at: string | null;
      version: string | null;
    }>(
      `SELECT count(*)::int AS count,
              to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_at,
              (SELECT version FROM core_vector_namespaces WHERE namespace = $1) AS version
         FROM core_vector_documents WHERE namespace = $1`,
      { bind: [namespace], type: QueryTypes.SELECT },
    );
    return { count: row?.count ?? 0, updatedAt: row?.updated_at ?? null, version: Number(row?.version ?? 0) };
  }

  /** The namespace's index: in memory, else from disk when it matches the database, else rebuilt. */
  private async ensureLoaded(namespace: string): Promise<LoadedNamespace> {
    const existing = this.touch(namespace);
    if (existing) return existing;
    const dir = this.indexDir(namespace);
    let reason: string;
    try {
      const { index, manifest } = await NamespaceIndex.load(dir, this.options.embeddings);
      const dims = await this.dimensions();
      const db = await this.fingerprint(namespace);
      if (manifest.namespace !== namespace) reason = 'hash collision';
      else if (manifest.model !== this.options.embeddings.model || manifest.dimensions !== dims) {
        reason = `embeddings changed (${manifest.model} -> ${this.options.embeddings.model})`;
      } else if (
        manifest.dbCount !== db.count ||
        manifest.dbUpdatedAt !== db.updatedAt ||
        index.size !== db.count ||
        (manifest.version ?? 0) !== db.version
      ) {
        reason = `out of step with the database (index ${index.size}, database ${db.count})`;
      } else {
        const entry: LoadedNamespace = { index, dirty: false, version: db.version };
        this.remember(namespace, entry);
        return entry;
      }
    } catch (error) {
      if (!(error instanceof IndexUnusableError)) throw error;
      reason = error.message;
    }
    const entry = await this.buildFromDatabase(namespace, reason);
    this.remember(namespace, entry);
    return entry;
  }

  private async buildFromDatabase(namespace: string, reason: string): Promise<LoadedNamespace> {
    const started = Date.now();
    const dims = await this.dimensions();
    const model = this.options.embeddings.model;
    // The version first, then the rows: rows may already hold later changes, which catching up
    // from this version applies again harmlessly; the other order could miss one.
    const version = await this.versionOf(namespace);
    const rows = await this.options.sequelize.query<{
      id: string;
      metadata: Record<string, unknown>;
      embedding: number[];
      model: string;
    }>('SELECT id, metadata, embedding, model FROM core_vector_documents WHERE namespace = $1 ORDER BY id', {
      bind: [namespace],
      type: QueryTypes.SELECT,
    });
    const stale = rows.filter(
      (r) => r.model !== model || !Array.isArray(r.embedding) || r.embedding.length !== dims,
    );
    if (stale.length > 0) await this.reembed(namespace, stale);
    await loadHnswLibrary();
    const index = NamespaceIndex.create(dims, this.params, this.options.embeddings, rows.length);
    for (let start = 0; start < rows.length; start += BUILD_CHUNK) {
      // Inserting into HNSW is CPU work: yield between chunks so requests keep being served.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      await index.add(
        rows
          .slice(start, start + BUILD_CHUNK)
          .map((r) => ({ id: r.id, embedding: r.embedding.map(Number), metadata: r.metadata ?? {} })),
      );
    }
    const entry: LoadedNamespace = { index, dirty: false, version };
    if (rows.length > 0 || reason !== 'missing') await this.persist(namespace, entry);
    this.options.logger?.info(
      { namespace, documents: rows.length, reembedded: stale.length, ms: Date.now() - started, reason },
      'vector index rebuilt from the database',
    );
    return entry;
  }

  /** Rows embedded by another model get fresh vectors (written back to the database). */
  private async reembed(namespace: string, stale: Array<{ id: string; embedding: number[]; model: string }>) {
    const ids = stale.map((r) => r.id);
    const texts = await this.options.sequelize.query<StoredText>(
      'SELECT id, text, text_encrypted FROM core_vector_documents WHERE namespace = $1 AND id = ANY($2::text[])',
      { bind: [namespace, ids], type: QueryTypes.SELECT },
    );
    const textById = new Map(texts.map((t) => [t.id, this.readText(namespace, t)]));
    const vectors = await this.options.embeddings.embedDocuments(ids.map((id) => textById.get(id) ?? ''));
    for (let i = 0; i < stale.length; i += 1) {
      stale[i]!.embedding = vectors[i]!;
      stale[i]!.model = this.options.embeddings.model;
      await this.options.sequelize.query(
        'UPDATE core_vector_documents SET embedding = CAST($3 AS real[]), model = $4, updated_at = now() WHERE namespace = $1 AND id = $2',
        { bind: [namespace, ids[i], vectorLiteral(vectors[i]!), this.options.embeddings.model] },
      );
    }
  }

  private async upsertRows(namespace: string, docs: VectorDocument[], vectors: number[][]): Promise<number> {
    const model = this.options.embeddings.model;
    return this.options.sequelize.transaction(async (transaction) => {
      for (let start = 0; start < docs.length; start += INSERT_BATCH) {
        const batch = docs.slice(start, start + INSERT_BATCH);
        const bind: unknown[] = [namespace, model];
        const values = batch.map((doc, i) => {
          bind.push(
            doc.id,
            this.options.crypto.encrypt(doc.text),
            JSON.stringify(doc.metadata ?? {}),
            vectorLiteral(vectors[start + i]!),
          );
          const p = bind.length;
          return `($1, $${p - 3}, $${p - 2}, true, CAST($${p - 1} AS jsonb), CAST($${p} AS real[]), $2, now(), clock_timestamp())`;
        });
        await this.options.sequelize.query(
          `INSERT INTO core_vector_documents (namespace, id, text, text_encrypted, metadata, embedding, model, created_at, updated_at)
           VALUES ${values.join(', ')}
           ON CONFLICT (namespace, id) DO UPDATE SET text = EXCLUDED.text, text_encrypted = EXCLUDED.text_encrypted,
             metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding, model = EXCLUDED.model,
             updated_at = EXCLUDED.updated_at`,
          { bind, transaction },
        );
      }
      return this.logChange(
        transaction,
        namespace,
        'upsert',
        docs.map((d) => d.id),
      );
    });
  }

  private markDirty(namespace: string, entry: LoadedNamespace): void {
    entry.dirty = true;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      void this.withLock(namespace, async () => {
        if (this.loaded.get(namespace) === entry && entry.dirty) await this.persist(namespace, entry);
      }).catch((error) =>
        this.options.logger?.error(
          { err: error, namespace },
          'could not save the vector index; it will be rebuilt',
        ),
      );
    }, this.persistDelayMs);
    entry.timer.unref?.();
  }

  private async persist(namespace: string, entry: LoadedNamespace): Promise<void> {
    clearTimeout(entry.timer);
    // Many deletions leave holes in the graph; start afresh from the database instead.
    if (
      entry.index.deletedShare > 0.3 &&
      entry.index.size + 64 < entry.index.size / (1 - entry.index.deletedShare)
    ) {
      const rebuilt = await this.buildFromDatabase(namespace, 'compaction');
      entry.index = rebuilt.index;
      entry.version = rebuilt.version;
      entry.dirty = false;
      return;
    }
    const db = await this.fingerprint(namespace);
    await entry.index.save(this.indexDir(namespace), {
      namespace,
      model: this.options.embeddings.model,
      dbCount: db.count,
      dbUpdatedAt: db.updatedAt,
      version: entry.version,
      savedAt: new Date().toISOString(),
    });
    entry.dirty = false;
  }
}
