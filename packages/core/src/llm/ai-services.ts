import path from 'node:path';
import OpenAI from 'openai';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { CoreConfig } from '../config/core-config.js';
import type { Crypto } from '../crypto/types.js';
import type { Metrics } from '../http/metrics.js';
import type { HnswParams } from '../vector/hnsw-index.js';
import { HnswVectorStore } from '../vector/hnsw-vector-store.js';
import { LocalEmbeddings } from '../vector/local-embeddings.js';
import { OpenAIEmbeddings } from '../vector/openai-embeddings.js';
import type { EmbeddingsProvider, VectorStore } from '../vector/types.js';
import { GatewayLlm, type LlmBackend } from './llm-service.js';
import {
  type CircuitOptions,
  type CircuitState,
  DEFAULT_CIRCUIT_OPTIONS,
  DEFAULT_RETRY_POLICY,
  ResilientExecutor,
  type RetryPolicy,
} from './resilience.js';
import type { Llm, LlmUsageService, PluginLlmOptions } from './types.js';
import { PostgresLlmUsage, parsePriceTable } from './usage.js';

export interface AiServicesOptions {
  config: CoreConfig;
  sequelize: Sequelize;
  /** The app's Crypto (ENCRYPTION_KEY): the vector store encrypts document text with it. */
  crypto: Crypto;
  /** Data directory (vector indexes go to `<dataDir>/vectors`); default BOTLOOM_DATA_DIR. */
  dataDir?: string;
  logger: Logger;
  metrics?: Metrics;
  /** Overrides for tests and tuning; LLM_MAX_RETRIES still sets maxRetries unless given here. */
  retry?: Partial<RetryPolicy>;
  circuit?: Partial<CircuitOptions>;
  vector?: { hnsw?: Partial<HnswParams>; persistDelayMs?: number; maxLoadedNamespaces?: number };
  /** Clock for budgets and usage days (tests). */
  now?: () => Date;
}

export interface AiServices {
  /** The Llm of one plugin: usage and budgets are accounted to `pluginId`. */
  llmFor(pluginId: string, options?: PluginLlmOptions): Llm;
  embeddings: EmbeddingsProvider;
  vectorStore: VectorStore &
    Pick<HnswVectorStore, 'flush' | 'rebuild' | 'encryptPlaintextRows' | 'checkEncryptionKey'>;
  usage: LlmUsageService;
  /** True when no endpoint is configured and the offline provider answers. */
  offline: boolean;
  /** What the app should print at start: provider, models, offline or not (no secrets). */
  describe(): {
    offline: boolean;
    endpoint: string | null;
    model: string;
    fastModel: string;
    embeddings: string;
  };
  circuitState(): CircuitState;
  /**
   * Call once at app start, before plugins start: encrypts vector document text still stored
   * in plaintext (rows from before encryption) and logs an error when ENCRYPTION_KEY cannot
   * decrypt the stored documents.
   */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the LLM gateway, usage ledger, embeddings and vector store from core settings.
 * Offline (no OPENAI_API_KEY and no OPENAI_BASE_URL): the offline provider and local
 * embeddings; nothing leaves the machine.
 */
export function createAiServices(options: AiServicesOptions): AiServices {
  const { config, sequelize, logger } = options;
  const aiLogger = logger.child({ component: 'ai' });
  const offline = !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL;
  const usage = new PostgresLlmUsage({
    sequelize,
    prices: parsePriceTable(config.LLM_PRICES),
    globalDailyTokenBudget: config.LLM_DAILY_TOKEN_BUDGET,
    now: options.now,
  });

  const executor = new ResilientExecutor(
    {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: config.LLM_MAX_RETRIES ?? DEFAULT_RETRY_POLICY.maxRetries,
      ...options.retry,
    },
    { ...DEFAULT_CIRCUIT_OPTIONS, ...options.circuit },
    config.LLM_MAX_CONCURRENCY,
    {
      onRetry: ({ attempt, delayMs, failure }) =>
        aiLogger.warn(
          { attempt, delayMs, kind: failure.kind, status: failure.status },
          'LLM call failed; retrying',
        ),
      onCircuit: (state) =>
        (state === 'open' ? aiLogger.error.bind(aiLogger) : aiLogger.info.bind(aiLogger))(
          { circuit: state },
          `LLM circuit ${state}`,
        ),
    },
  );

  const client = offline
    ? null
    : new OpenAI({
        // Local servers (Ollama, LM Studio, vLLM) accept any key; the client insists on one.
        apiKey: config.OPENAI_API_KEY || 'not-needed',
        baseURL: config.OPENAI_BASE_URL,
        maxRetries: 0,
        timeout: config.LLM_TIMEOUT_MS,
      });

  const backend: LlmBackend = {
    client,
    executor,
    usage,
    model: config.LLM_MODEL,
    fastModel: config.LLM_MODEL_FAST ?? config.LLM_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    logger,
    metrics: options.metrics,
  };

  const embeddings: EmbeddingsProvider =
    client && config.EMBEDDING_MODEL
      ? new OpenAIEmbeddings({
          client,
          model: config.EMBEDDING_MODEL,
          executor,
          timeoutMs: config.LLM_TIMEOUT_MS,
          onUsage: (tokens, latencyMs, error) =>
            usage
              .record({
                plugin: 'core',
                purpose: 'core.embeddings',
                model: config.EMBEDDING_MODEL!,
                promptTokens: tokens,
                completionTokens: 0,
                latencyMs,
                error,
              })
              .catch((recordError) =>
                aiLogger.error({ err: recordError }, 'could not record embeddings usage'),
              ),
        })
      : new LocalEmbeddings();

  const vectorStore = new HnswVectorStore({
    sequelize,
    embeddings,
    crypto: options.crypto,
    dataDir: options.dataDir ?? path.resolve(config.BOTLOOM_DATA_DIR),
    logger: aiLogger,
    hnsw: options.vector?.hnsw,
    persistDelayMs: options.vector?.persistDelayMs,
    maxLoadedNamespaces: options.vector?.maxLoadedNamespaces,
  });

  const llms = new Map<string, Llm>();

  return {
    llmFor(pluginId, pluginOptions) {
      if (pluginOptions) return new GatewayLlm(pluginId, backend, pluginOptions);
      let llm = llms.get(pluginId);
      if (!llm) {
        llm = new GatewayLlm(pluginId, backend);
        llms.set(pluginId, llm);
      }
      return llm;
    },
    embeddings,
    vectorStore,
    usage,
    offline,
    describe() {
      let endpoint: string | null = null;
      if (!offline) {
        try {
          const url = new URL(config.OPENAI_BASE_URL ?? 'https://api.openai.com/v1');
          endpoint = `${url.protocol}//${url.host}${url.pathname}`;
        } catch {
          endpoint = '(invalid OPENAI_BASE_URL)';
        }
      }
      return {
        offline,
        endpoint,
        model: offline ? 'offline' : backend.model,
        fastModel: offline ? 'offline' : backend.fastModel,
        embeddings: embeddings.model,
      };
    },
    circuitState: () => executor.circuitState,
    async start() {
      try {
        await vectorStore.checkEncryptionKey();
      } catch (error) {
        // Not a boot failure: the rest of the app may work; searches in the affected
        // namespaces fail with VECTOR_DECRYPTION_FAILED until the right key is configured.
        aiLogger.error(
          { err: error },
          'ENCRYPTION_KEY cannot decrypt the stored vector documents: it is not the key they were written with',
        );
      }
      await vectorStore.encryptPlaintextRows();
    },
    async close() {
      await vectorStore.close();
      executor.shutdown();
    },
  };
}
