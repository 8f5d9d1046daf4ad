import path from 'node:path';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { CoreConfig } from '../config/core-config.js';
import type { Crypto } from '../crypto/types.js';
import type { Metrics } from '../http/metrics.js';
import type { Signals } from '../signals/types.js';
import type { HnswParams } from '../vector/hnsw-index.js';
import { HnswVectorStore } from '../vector/hnsw-vector-store.js';
import { LocalEmbeddings } from '../vector/local-embeddings.js';
import { OpenAIEmbeddings } from '../vector/openai-embeddings.js';
import type { EmbeddingsProvider, VectorStore } from '../vector/types.js';
import { LlmProvider, LlmRouter, type ProviderStatus, publicEndpoint } from './llm-router.js';
import { GatewayLlm, type LlmBackend } from './llm-service.js';
import { parseLlmProvidersConfig } from './providers.js';
import {
  type CircuitOptions,
  type CircuitState,
  DEFAULT_CIRCUIT_OPTIONS,
  DEFAULT_RETRY_POLICY,
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
  vector?: {
    hnsw?: Partial<HnswParams>;
    persistDelayMs?: number;
    maxLoadedNamespaces?: number;
    /** Watermark check of loaded indexes against the database (default 5000 ms; 0 = off). */
    syncIntervalMs?: number;
  };
  /** Cross-instance signals: keeps this instance's vector indexes in step with the others'. */
  signals?: Signals;
  /** Clock for budgets and usage days (tests). */
  now?: () => Date;
}

export interface AiServices {
  /** The Llm of one plugin: usage and budgets are accounted to `pluginId`. */
  llmFor(pluginId: string, options?: PluginLlmOptions): Llm;
  embeddings: EmbeddingsProvider;
  vectorStore: VectorStore &
    Pick<HnswVectorStore, 'flush' | 'rebuild' | 'encryptPlaintextRows' | 'checkEncryptionKey' | 'syncNow'>;
  usage: LlmUsageService;
  /** True when no endpoint is configured and the offline provider answers. */
  offline: boolean;
  /** What the app should print at start: the first provider, models, offline or not (no secrets). */
  describe(): {
    offline: boolean;
    endpoint: string | null;
    model: string;
    fastModel: string;
    embeddings: string;
    providers: Array<{ name: string; endpoint: string; local: boolean; model: string }>;
  };
  /** Circuit of the first provider (`closed` when offline). */
  circuitState(): CircuitState;
  /** Each provider's circuit, latency and error rate, and the routes (admin status). */
  providerStatus(): {
    providers: ProviderStatus[];
    routes: Record<string, { providers: string[]; private: boolean }>;
  };
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
  const providersConfig = parseLlmProvidersConfig(config);
  const offline = providersConfig.providers.length === 0;
  const usage = new PostgresLlmUsage({
    sequelize,
    prices: parsePriceTable(config.LLM_PRICES),
    providerPrices: Object.fromEntries(providersConfig.providers.map((p) => [p.name, p.prices])),
    globalDailyTokenBudget: config.LLM_DAILY_TOKEN_BUDGET,
    now: options.now,
  });

  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const circuit: CircuitOptions = { ...DEFAULT_CIRCUIT_OPTIONS, ...options.circuit };
  const providers = providersConfig.providers.map(
    (spec) =>
      new LlmProvider(
        // An explicit retry override (tests, tuning) wins over LLM_MAX_RETRIES and the provider's own.
        options.retry?.maxRetries !== undefined ? { ...spec, maxRetries: options.retry.maxRetries } : spec,
        { retry, circuit, logger: aiLogger },
      ),
  );
  const router = offline ? null : new LlmRouter(providers, providersConfig.routes);

  const backend: LlmBackend = {
    router,
    usage,
    logger,
    metrics: options.metrics,
    pseudonym: (user) => options.crypto.digest(`llm-user:${user}`).slice(0, 32),
  };

  const embeddingsProvider = providers.find((p) => p.spec.embeddings);
  const embeddings: EmbeddingsProvider =
    embeddingsProvider && config.EMBEDDING_MODEL
      ? new OpenAIEmbeddings({
          client: embeddingsProvider.client,
          model: config.EMBEDDING_MODEL,
          executor: embeddingsProvider.executor,
          timeoutMs: embeddingsProvider.spec.timeoutMs,
          onUsage: (tokens, latencyMs, error) =>
            usage
              .record({
                plugin: 'core',
                purpose: 'core.embeddings',
                model: config.EMBEDDING_MODEL!,
                provider: embeddingsProvider.name,
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
    syncIntervalMs: options.vector?.syncIntervalMs,
    signals: options.signals,
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
      const first = providers[0];
      return {
        offline,
        endpoint: first ? publicEndpoint(first.spec.baseUrl) : null,
        model: first ? first.spec.model : 'offline',
        fastModel: first ? first.spec.fastModel : 'offline',
        embeddings: embeddings.model,
        providers: providers.map((p) => ({
          name: p.name,
          endpoint: publicEndpoint(p.spec.baseUrl),
          local: p.local,
          model: p.spec.model,
        })),
      };
    },
    circuitState: () => providers[0]?.executor.circuitState ?? 'closed',
    providerStatus: () => ({
      providers: providers.map((p) => p.status()),
      routes: router?.describeRoutes() ?? {},
    }),
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
      await vectorStore.startSync();
    },
    async close() {
      await vectorStore.close();
      router?.shutdown();
    },
  };
}
