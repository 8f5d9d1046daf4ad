import 'reflect-metadata';

// What a plugin author and an app need. Runtime internals (the CLI, the loader, AI service
// construction, admin tokens...) are in `@botloom/core/runtime`.

export type {
  AdminColumn,
  AdminField,
  AdminPageDefinition,
  AdminRowAction,
  AdminWidgetDefinition,
} from './admin-panel/page-schema.js';
export {
  fitKMeans,
  fitKMeansParallel,
  type KMeansInput,
  type KMeansMatrix,
  type KMeansOptions,
  type KMeansResult,
  nearestCentroid,
} from './analytics/kmeans.js';
export {
  type App,
  type AppState,
  type CreateAppOptions,
  createApp,
  type Maintenance,
  type PluginInfo,
} from './app/create-app.js';
export type { SandboxFactory, SandboxHandle } from './app/sandbox-seam.js';
export type { ChatOwner } from './bot/chat-owner.js';
export type { BotContext, ConversationContext, SessionData } from './bot/context.js';
export { type BotloomConfig, defineConfig } from './cli/config-module.js';
export { type CoreConfig, CoreConfigSchema } from './config/core-config.js';
export { type AppConfigInput, pluginEnvName, type SettingRow, secret } from './config/index.js';
export { coreServices } from './core-services.js';
export { createAesGcmCrypto, DecryptionError, parseEncryptionKey } from './crypto/aes-gcm.js';
export type { Crypto } from './crypto/types.js';
export { MigrationError, type MigrationStatusEntry } from './db/migrator.js';
export { createToken, type Resolve, resolverFor, type Token, tokenName } from './di/tokens.js';
export { BootError, BotloomError, MissingServiceError } from './errors/botloom-error.js';
export {
  ConflictError,
  DomainError,
  type DomainErrorKind,
  type DomainErrorOptions,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnavailableError,
} from './errors/domain-errors.js';
export type { BotloomEvents, EventBus } from './events/types.js';
export { FileTooLargeError } from './files/file-storage.js';
export type { FileStorage, StoredFile } from './files/types.js';
export { canSeeContent, requireContentAccess } from './http/content-access.js';
export { allowFraming } from './http/framing.js';
export { type ErrorResponseBody, HttpError } from './http/http-error.js';
export type { PublicUrl } from './http/public-url.js';
export type { AdminPrincipal, AdminRole, AdminState } from './http/types.js';
export { parseBody, parseParams, parseQuery } from './http/validation.js';
export type { Translator } from './i18n/types.js';
export type { Jobs, SendJobOptions } from './jobs/types.js';
export type { RateWindows, WindowDecision, WindowHit } from './kv/kv-window.js';
export { type SealedStorageOptions, sealedStorageAdapter } from './kv/sealed-storage.js';
export {
  type ConversationsStorageOptions,
  conversationsStorage,
  keyvStorageAdapter,
} from './kv/session-storage.js';
export {
  classifyIntent,
  classifySentiment,
  detectLanguage,
  formatContextBlock,
  type GroundingPassage,
  type Intent,
  LlmBudgetExceededError,
  LlmError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
  OFFLINE_MARKER,
  type Sentiment,
  STRUCTURED_FALLBACK_REASONS,
  type StructuredFallbackOptions,
  type StructuredFallbackReason,
  type StructuredOutcome,
  structuredFallbackReasonOf,
  structuredWithFallback,
  synonymsOf,
} from './llm/index.js';
export type * from './llm/types.js';
export { endQuietBoot, pluginLogger } from './logger/logger.js';
export { type BootProblem, problemsOf } from './plugin/boot-problems.js';
export { definePlugin } from './plugin/define-plugin.js';
export {
  createServiceRef,
  type OptionalServiceRef,
  optional,
  type ResolvedDependencies,
  type ServiceDependency,
  type ServiceRef,
} from './plugin/service-ref.js';
export type * from './plugin/types.js';
export { type LazySocketServer, lazySocketServer } from './realtime/lazy-socket-server.js';
export {
  createRealtime,
  type PresenceStore,
  type Realtime,
  type RealtimeChannel,
  type RealtimeChannelDefinition,
  type RealtimeSocket,
} from './realtime/realtime.js';
export {
  type CacheInvalidation,
  createCacheInvalidation,
  defineInvalidation,
  type InvalidationPayload,
} from './signals/cache-invalidation.js';
export { createSharedIdSet, type SharedIdSet } from './signals/shared-id-set.js';
export {
  defineSignal,
  SIGNAL_PAYLOAD_LIMIT_BYTES,
  type SignalChannel,
  type SignalMeta,
  type Signals,
  type SubscribeOptions,
} from './signals/types.js';
export { Tokens } from './tokens.js';
export * from './validation/index.js';
export {
  embedTextLocally,
  LocalEmbeddings,
  type SplitTextOptions,
  splitText,
  VectorStoreError,
} from './vector/index.js';
export type * from './vector/types.js';
export { CORE_VERSION } from './version.js';
