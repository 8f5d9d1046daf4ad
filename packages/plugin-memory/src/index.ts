import { fileURLToPath } from 'node:url';
import { coreServices, createServiceRef, definePlugin } from '@botloom/core';
import { memoryAdminPages } from './admin/admin-pages.js';
import { memoryAdminRoutes } from './admin/memory-admin-routes.js';
import { memoryConversation } from './bot/conversation.js';
import { createMemoryComposer } from './bot/memory-composer.js';
import { type MemoryConfig, MemoryConfigSchema } from './config.js';
import { memoryJobs } from './jobs.js';
import { memoryMigrations } from './migrations/0001-create-memory-tables.js';
import { createMemoryServices, type MemoryServices } from './services/memory-services.js';
import { SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';

export { type MemoryConfig, MemoryConfigSchema } from './config.js';
export type { MemoryServices } from './services/memory-services.js';
export { memoryNamespace } from './services/memory-store.js';
export { type BuiltPrompt, buildPrompt, type PromptInput, systemPromptFor } from './services/prompt.js';
export { splitMessage, TELEGRAM_TEXT_LIMIT } from './services/split-message.js';
export { EXPORT_FORMAT } from './services/user-data-service.js';

const version = '0.1.0';

/**
 * The plugin's services, for plugins that list `memory` in `dependsOn` and this ref in
 * `services.deps` (and for `app.services('memory')`).
 */
export const memoryServicesRef = createServiceRef<MemoryServices>({ id: 'memory.services', owner: 'memory' });

export type MemoryOptions = Partial<MemoryConfig>;

/** A personal AI agent with sessions and long-term memory (RAG). */
export default function memoryPlugin(options: MemoryOptions = {}) {
  return definePlugin({
    id: 'memory',
    version,
    core: '^0.1.0',
    config: MemoryConfigSchema,
    settingDescriptions: { ru: SETTING_DESCRIPTIONS_RU },
    options,
    locales: fileURLToPath(new URL('../locales/', import.meta.url)),
    migrations: memoryMigrations,
    adminPages: memoryAdminPages,
    events: [],
    commands: [
      {
        command: 'personalize',
        description: { en: 'Set up the agent: role and answers', ru: 'Настроить агента: роль и ответы' },
      },
      { command: 'profile', description: { en: 'Show the agent profile', ru: 'Показать профиль агента' } },
      { command: 'start_session', description: { en: 'Start a new session', ru: 'Начать новую сессию' } },
      {
        command: 'end_session',
        description: { en: 'End the session and remember it', ru: 'Завершить сессию и запомнить её' },
      },
      { command: 'list_sessions', description: { en: 'Session history', ru: 'История сессий' } },
      { command: 'memories', description: { en: 'What the agent remembers', ru: 'Что агент помнит' } },
      { command: 'usage', description: { en: 'Token usage today', ru: 'Расход токенов сегодня' } },
      { command: 'export_data', description: { en: 'Download all my data', ru: 'Скачать все мои данные' } },
    ],
    provides: [memoryServicesRef],
    services: {
      deps: {
        sequelize: coreServices.database,
        crypto: coreServices.crypto,
        llm: coreServices.llm,
        vectors: coreServices.vectorStore,
        jobs: coreServices.jobs,
        kv: coreServices.kv,
        usage: coreServices.llmUsage,
        logger: coreServices.logger,
      },
      init({ deps, config, expose }) {
        const services = createMemoryServices({ ...deps, config });
        expose(memoryServicesRef, services);
        return services;
      },
    },
    conversation: memoryConversation(options),
    userData: {
      describe: 'memory-user-data',
      async erase(userId, { services }) {
        await services.userData.delete(String(userId));
      },
    },
    bot({ composer, services, config }) {
      composer.use(createMemoryComposer({ services: () => services, kv: () => services.kv, config }));
    },
    admin({ router, services }) {
      memoryAdminRoutes(router, () => services);
    },
    jobs: memoryJobs(),
    async health({ services }) {
      const stats = await services.admin.stats();
      return {
        ok: true,
        details: { activeSessions: stats.activeSessions, pendingSummaries: stats.pendingSummaries },
      };
    },
  });
}
