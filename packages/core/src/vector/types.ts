export interface VectorDocument {
  /** Stored in the clear: an id, never personal content. */
  id: string;
  /** Stored encrypted (core Crypto, ENCRYPTION_KEY); only search results decrypt it. */
  text: string;
  /**
   * Stored in the clear, in the database and the index files (filters need it): ids, kinds,
   * flags, never personal content.
   */
  metadata?: Record<string, unknown>;
}

export interface VectorMatch extends VectorDocument {
  /** Cosine similarity in [-1, 1]; higher is closer. */
  score: number;
}

/**
 * Namespaced similarity search. PostgreSQL holds the documents (source of truth); the HNSW
 * index under the data directory is rebuilt from it when missing or corrupt.
 */
export interface VectorStore {
  add(namespace: string, documents: VectorDocument[]): Promise<void>;
  search(
    namespace: string,
    query: string,
    options?: { k?: number; filter?: Record<string, unknown>; minScore?: number },
  ): Promise<VectorMatch[]>;
  delete(namespace: string, ids: string[]): Promise<void>;
  deleteNamespace(namespace: string): Promise<void>;
  count(namespace: string): Promise<number>;
}

/** Text to vectors (same shape as langchain's Embeddings). */
export interface EmbeddingsProvider {
  readonly dimensions: number;
  readonly model: string;
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}
