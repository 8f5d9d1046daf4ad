import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Crypto } from '../crypto/types.js';
import { BotloomError } from '../errors/botloom-error.js';
import { DEFAULT_HNSW_PARAMS, type HnswParams, IndexUnusableError, NamespaceIndex } from './hnsw-index.js';
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
}

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
 * One process should own a data directory; several app instances sharing one database each
 * keep their own index and rebuild it when they notice the database changed at load time.
 */
export class HnswVectorStore implements VectorStore {
  private readonly loaded = new Map<string, LoadedNamespace>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly params: HnswParams;
  private readonly persistDelayMs: number;
  private readonly maxLoaded: number;
  private readonly exactBelow: number;
  private closed = false;

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
    await this.withLock(namespace, async () => {
      const entry = await this.ensureLoaded(namespace);
      await this.upsertRows(namespace, docs, vectors);
      try {
        await entry.index.add(
          docs.map((d, i) => ({ id: d.id, embedding: vectors[i]!, metadata: d.metadata ?? {} })),
        );
      } catch (error) {
        // The database has the rows; drop the in-memory index so the next use rebuilds it.
        this.unload(namespace);
        throw error;
      }
      this.markDirty(namespace, entry);
    });
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
    await this.withLock(namespace, async () => {
      const entry = await this.ensureLoaded(namespace);
      await this.options.sequelize.query(
        'DELETE FROM core_vector_documents WHERE namespace = $1 AND id = ANY($2::text[])',
        {
          bind: [namespace, ids],
        },
      );
      if (entry.index.remove(ids) > 0) this.markDirty(namespace, entry);
    });
  }

  async deleteNamespace(namespace: string): Promise<void> {
    checkNamespace(namespace);
    this.checkOpen();
    await this.withLock(namespace, async () => {
      await this.options.sequelize.query('DELETE FROM core_vector_documents WHERE namespace = $1', {
        bind: [namespace],
      });
      this.unload(namespace);
      await rm(this.indexDir(namespace), { recursive: true, force: true });
    });
  }

  async count(namespace: string): Promise<number> {
    checkNamespace(namespace);
    const [row] = await this.options.sequelize.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM core_vector_documents WHERE namespace = $1',
      { bind: [namespace], type: QueryTypes.SELECT },
    );
    return row?.count ?? 0;
  }

  /** Rebuilds a namespace's index from the database now (e.g. after a bulk import by SQL). */
  async rebuild(namespace: string): Promise<void> {
    checkNamespace(namespace);
    await this.withLock(namespace, async () => {
      this.unload(namespace);
      const entry = await this.buildFromDatabase(namespace, 'requested');
      this.remember(namespace, entry);
    });
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
    await this.flush();
    this.closed = true;
    for (const entry of this.loaded.values()) clearTimeout(entry.timer);
    this.loaded.clear();
  }

  // --- internals ------------------------------------------------------------------------

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

  private async fingerprint(namespace: string): Promise<{ count: number; updatedAt: string | null }> {
    const [row] = await this.options.sequelize.query<{ count: number; updated_at: string | null }>(
      `SELECT count(*)::int AS count,
              to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS updated_at
         FROM core_vector_documents WHERE namespace = $1`,
      { bind: [namespace], type: QueryTypes.SELECT },
    );
    return { count: row?.count ?? 0, updatedAt: row?.updated_at ?? null };
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
        index.size !== db.count
      ) {
        reason = `out of step with the database (index ${index.size}, database ${db.count})`;
      } else {
        const entry: LoadedNamespace = { index, dirty: false };
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
    const index = NamespaceIndex.create(dims, this.params, this.options.embeddings, rows.length);
    await index.add(
      rows.map((r) => ({ id: r.id, embedding: r.embedding.map(Number), metadata: r.metadata ?? {} })),
    );
    const entry: LoadedNamespace = { index, dirty: false };
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

  private async upsertRows(namespace: string, docs: VectorDocument[], vectors: number[][]): Promise<void> {
    const model = this.options.embeddings.model;
    await this.options.sequelize.transaction(async (transaction) => {
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
      entry.dirty = false;
      return;
    }
    const db = await this.fingerprint(namespace);
    await entry.index.save(this.indexDir(namespace), {
      namespace,
      model: this.options.embeddings.model,
      dbCount: db.count,
      dbUpdatedAt: db.updatedAt,
      savedAt: new Date().toISOString(),
    });
    entry.dirty = false;
  }
}
