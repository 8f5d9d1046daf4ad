import { coreServiceRef } from './plugin/service-ref.js';
import { Tokens } from './tokens.js';

/**
 * Core's services as refs for `services.deps`. The plugin-scoped ones (logger, kv, rateWindows,
 * jobs, llm, pluginConfig) arrive bound to the plugin that declares them.
 */
export const coreServices = {
  config: coreServiceRef(Tokens.CoreConfig),
  pluginConfig: coreServiceRef(Tokens.PluginConfig),
  logger: coreServiceRef(Tokens.Logger),
  database: coreServiceRef(Tokens.Database),
  kv: coreServiceRef(Tokens.Kv),
  rateWindows: coreServiceRef(Tokens.RateWindows),
  jobs: coreServiceRef(Tokens.Jobs),
  events: coreServiceRef(Tokens.Events),
  llm: coreServiceRef(Tokens.Llm),
  llmUsage: coreServiceRef(Tokens.LlmUsage),
  embeddings: coreServiceRef(Tokens.Embeddings),
  vectorStore: coreServiceRef(Tokens.VectorStore),
  telegram: coreServiceRef(Tokens.TelegramApi),
  files: coreServiceRef(Tokens.Files),
  crypto: coreServiceRef(Tokens.Crypto),
  i18n: coreServiceRef(Tokens.I18n),
  publicUrl: coreServiceRef(Tokens.PublicUrl),
  signals: coreServiceRef(Tokens.Signals),
  realtime: coreServiceRef(Tokens.Realtime),
} as const;
