export { DEFAULT_HNSW_PARAMS, type HnswParams } from './hnsw-index.js';
export { HnswVectorStore, type HnswVectorStoreOptions, VectorStoreError } from './hnsw-vector-store.js';
export { embedTextLocally, LocalEmbeddings } from './local-embeddings.js';
export { vectorMigrations } from './migrations.js';
export { OpenAIEmbeddings } from './openai-embeddings.js';
export { type SplitTextOptions, splitText } from './text-splitter.js';
export type * from './types.js';
