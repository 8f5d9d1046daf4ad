import type OpenAI from 'openai';
import type { ResilientExecutor } from '../llm/resilience.js';
import type { EmbeddingsProvider } from './types.js';

export interface OpenAIEmbeddingsOptions {
  client: OpenAI;
  model: string;
  /** Requested vector size (models such as text-embedding-3-* can shorten); default: the model's own. */
  dimensions?: number;
  executor: ResilientExecutor;
  timeoutMs: number;
  batchSize?: number;
  /** Called with the tokens each request used (usage accounting). */
  onUsage?(tokens: number, latencyMs: number, error: boolean): void | Promise<void>;
}

/**
 * Embeddings from an OpenAI-compatible /embeddings endpoint, through the same retries,
 * circuit breaker and concurrency cap as chat calls.
 */
export class OpenAIEmbeddings implements EmbeddingsProvider {
  readonly model: string;
  private knownDimensions: number | undefined;

  constructor(private readonly options: OpenAIEmbeddingsOptions) {
    this.model = options.model;
    this.knownDimensions = options.dimensions;
  }

  /** Known after the first call when not configured. */
  get dimensions(): number {
    return this.knownDimensions ?? 0;
  }

  /** Asks the endpoint once so `dimensions` is known (the vector store needs it up front). */
  async probe(): Promise<number> {
    if (this.knownDimensions === undefined) await this.embedQuery('dimension probe');
    return this.knownDimensions!;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const batchSize = this.options.batchSize ?? 128;
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      // Empty strings are rejected by some endpoints; a single space embeds as "nothing".
      const batch = texts.slice(i, i + batchSize).map((t) => (t.trim() === '' ? ' ' : t));
      const started = Date.now();
      try {
        const response = await this.options.executor.execute(() =>
          this.options.client.embeddings.create(
            {
              model: this.model,
              input: batch,
              encoding_format: 'float',
              ...(this.options.dimensions ? { dimensions: this.options.dimensions } : {}),
            },
            {
              timeout: this.options.timeoutMs,
              maxRetries: 0,
              headers: { 'X-Botloom-Purpose': 'core.embeddings' },
            },
          ),
        );
        const vectors = [...response.data]
          .sort((a, b) => a.index - b.index)
          .map((d) => d.embedding as number[]);
        if (vectors.length !== batch.length) {
          throw new Error(
            `The embeddings endpoint returned ${vectors.length} vectors for ${batch.length} inputs`,
          );
        }
        this.knownDimensions ??= vectors[0]!.length;
        for (const vector of vectors) {
          if (vector.length !== this.knownDimensions) {
            throw new Error(`Embedding size changed from ${this.knownDimensions} to ${vector.length}`);
          }
        }
        await this.options.onUsage?.(response.usage?.total_tokens ?? 0, Date.now() - started, false);
        out.push(...vectors);
      } catch (error) {
        await this.options.onUsage?.(0, Date.now() - started, true);
        throw error;
      }
    }
    return out;
  }
}
