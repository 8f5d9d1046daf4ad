import 'reflect-metadata';

/**
 * Runtime internals for the CLI, apps with special needs and core's own tests: not part of the
 * plugin author's API (that is `@botloom/core`), and free to change between minor versions.
 */
export { BootSequence, type BootStep } from './app/boot-sequence.js';
export { runCli } from './cli/program.js';
export { scaffoldPlugin } from './cli/scaffold.js';
export { formatSettingsTable, isSecretSetting } from './config/index.js';
export { createEventBus } from './events/event-bus.js';
export { AdminTokenService } from './http/admin-tokens.js';
export { AdminUserService, generatePassword } from './http/admin-users.js';
export { type AiServices, type AiServicesOptions, createAiServices, llmAdminRoutes } from './llm/index.js';
export { chooseLogFormat, type LogFormat } from './logger/log-format.js';
export { createLogger, REDACT_PATHS } from './logger/logger.js';
export { invokeHook, type PluginHook } from './plugin/invoke-hook.js';
export { CORE_COMMANDS, loadPlugins } from './plugin/loader.js';
export { createAppSignals, createSignalService, type SignalService } from './signals/index.js';
