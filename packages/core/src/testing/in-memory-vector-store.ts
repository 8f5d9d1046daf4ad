import { matchesFilter } from '../vector/filter.js';
import { LocalEmbeddings } from '../vector/local-embeddings.js';
import type { EmbeddingsProvider, VectorDocument, VectorMatch, VectorStore } from '../vector/types.js';

export interface InMemoryVectorStoreOptions {
  /** How texts become vectors (default: core's local feature-hashing embeddings, deterministic). */
  embeddings?: EmbeddingsProvider;
}

interface StoredDocument extends VectorDocument {
  vector: number[];
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i]!;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * A `VectorStore` kept in memory, with exact cosine search over core's local embeddings (or
 * the `embeddings` given): the same text always gets the same score, so unit tests can assert
 * on rankings and thresholds. It follows the real store's contract: re-adding an id replaces
 * the document, `k` defaults to 5, metadata filters work as in `HnswVectorStore`. No database,
 * no encryption, no index files: for end-to-end tests use the app's real store.
 */
export class InMemoryVectorStore implements VectorStore {
  /** Documents embedded and stored so far, re-adds included (to assert that nothing was re-indexed). */
  adds = 0;
  private readonly namespaces = new Map<string, Map<string, StoredDocument>>();
  private readonly embeddings: EmbeddingsProvider;

  constructor(options: InMemoryVectorStoreOptions = {}) {
    this.embeddings = options.embeddings ?? new LocalEmbeddings();
  }

  async add(namespace: string, documents: VectorDocument[]): Promise<void> {
    if (documents.length === 0) return;
    const vectors = await this.embeddings.embedDocuments(documents.map((d) => d.text));
    let stored = this.namespaces.get(namespace);
    if (!stored) {
      stored = new Map();
      this.namespaces.set(namespace, stored);
    }
    documents.forEach((d, i) => {
      stored.set(d.id, { id: d.id, text: d.text, metadata: d.metadata, vector: vectors[i]! });
    });
    this.adds += documents.length;
  }

  async search(
    namespace: string,
    query: string,
    options: { k?: number; filter?: Record<string, unknown>; minScore?: number } = {},
  ): Promise<VectorMatch[]> {
    const stored = this.namespaces.get(namespace);
    if (!stored || stored.size === 0) return [];
    const k = Math.min(Math.max(Math.floor(options.k ?? 5), 1), 1000);
    const q = await this.embeddings.embedQuery(query);
    const matches: VectorMatch[] = [];
    for (const { vector, ...document } of stored.values()) {
      if (options.filter && !matchesFilter(document.metadata, options.filter)) continue;
      const score = cosine(q, vector);
      if (options.minScore !== undefined && score < options.minScore) continue;
      matches.push({ ...document, score });
    }
    // Ties break by id so the order never depends on insertion order.
    return matches.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, k);
  }

  async delete(namespace: string, ids: string[]): Promise<void> {
    const stored = this.namespaces.get(namespace);
    for (const id of ids) stored?.delete(id);
  }

  async deleteNamespace(namespace: string): Promise<void> {
    this.namespaces.delete(namespace);
  }

  async count(namespace: string): Promise<number> {
    return this.namespaces.get(namespace)?.size ?? 0;
  }

  /** The documents of a namespace (without vectors), for assertions. */
  documents(namespace: string): VectorDocument[] {
    return [...(this.namespaces.get(namespace)?.values() ?? [])].map(({ vector: _vector, ...d }) => d);
  }

  /** Namespaces that hold at least one document. */
  namespaceNames(): string[] {
    return [...this.namespaces].filter(([, docs]) => docs.size > 0).map(([name]) => name);
  }
}
