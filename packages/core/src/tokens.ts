import type { Api } from 'grammy';
import type { Keyv } from 'keyv';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { CoreConfig } from './config/core-config.js';
import type { Crypto } from './crypto/types.js';
import { createToken } from './di/tokens.js';
import type { EventBus } from './events/types.js';
import type { FileStorage } from './files/types.js';
import type { PublicUrl } from './http/public-url.js';
import type { Translator } from './i18n/types.js';
import type { Jobs } from './jobs/types.js';
import type { RateWindows } from './kv/kv-window.js';
import type { Llm, LlmUsageService } from './llm/types.js';
import type { Realtime } from './realtime/realtime.js';
import type { Signals } from './signals/types.js';
import type { EmbeddingsProvider, VectorStore } from './vector/types.js';

/**
 * Core service tokens. Resolved from a plugin's container, the plugin-scoped ones
 * (Logger, Kv, Jobs, Llm, PluginConfig) are already bound to that plugin.
 */
export const Tokens = {
  CoreConfig: createToken<CoreConfig>('CoreConfig'),
  /** The calling plugin's validated settings. */
  PluginConfig: createToken<unknown>('PluginConfig'),
  Logger: createToken<Logger>('Logger'),
  Database: createToken<Sequelize>('Database'),
  /** keyv, namespaced per plugin. */
  Kv: createToken<Keyv>('Kv'),
  /** Sliding-window rate limits shared across instances, namespaced per plugin. */
  RateWindows: createToken<RateWindows>('RateWindows'),
  Jobs: createToken<Jobs>('Jobs'),
  Events: createToken<EventBus>('Events'),
  Llm: createToken<Llm>('Llm'),
  /** LLM usage ledger and per-user budget overrides (admin features, data export/deletion). */
  LlmUsage: createToken<LlmUsageService>('LlmUsage'),
  Embeddings: createToken<EmbeddingsProvider>('Embeddings'),
  VectorStore: createToken<VectorStore>('VectorStore'),
  TelegramApi: createToken<Api>('TelegramApi'),
  Files: createToken<FileStorage>('Files'),
  Crypto: createToken<Crypto>('Crypto'),
  I18n: createToken<Translator>('I18n'),
  /** PUBLIC_URL, or where the HTTP server listens (read it when handling, not at boot). */
  PublicUrl: createToken<PublicUrl>('PublicUrl'),
  /** Cross-instance signals (PostgreSQL LISTEN/NOTIFY or Redis pub/sub): at most once, see `Signals`. */
  Signals: createToken<Signals>('Signals'),
  /** WebSocket fan-out across instances over signals: one channel per live view. */
  Realtime: createToken<Realtime>('Realtime'),
} as const;
