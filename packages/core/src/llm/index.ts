export { llmAdminRoutes, setupLlmAdminRoutes } from './admin-routes.js';
export { type AiServices, type AiServicesOptions, createAiServices } from './ai-services.js';
export {
  CONTEXT_CLOSE,
  CONTEXT_OPEN,
  formatContextBlock,
  type GroundingPassage,
  parseContextBlocks,
} from './context-block.js';
export {
  LlmBudgetExceededError,
  LlmError,
  LlmNoLocalProviderError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from './errors.js';
export type { ProviderStatus } from './llm-router.js';
export { GatewayLlm } from './llm-service.js';
export { llmMigrations } from './migrations.js';
export {
  classifyIntent,
  classifySentiment,
  detectLanguage,
  type Intent,
  type Sentiment,
} from './offline/lexicon.js';
export { OFFLINE_MARKER, OFFLINE_MODEL } from './offline/offline-provider.js';
export { synonymsOf } from './offline/synonyms.js';
export type { ProviderStatsSnapshot } from './provider-stats.js';
export {
  isLoopbackUrl,
  type LlmProvidersConfig,
  type ProviderSpec,
  parseLlmProvidersConfig,
  type RouteSpec,
} from './providers.js';
export type { CircuitOptions, CircuitState, RetryPolicy } from './resilience.js';
export {
  STRUCTURED_FALLBACK_REASONS,
  type StructuredFallbackOptions,
  type StructuredFallbackReason,
  type StructuredOutcome,
  structuredFallbackReasonOf,
  structuredWithFallback,
} from './structured-fallback.js';
export type * from './types.js';
export { GLOBAL_SCOPE, nextUtcMidnight, PostgresLlmUsage, parsePriceTable, utcDay } from './usage.js';
