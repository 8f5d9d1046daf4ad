import { fileURLToPath } from 'node:url';
import { createToken, definePlugin, type Resolve, Tokens } from '@botloom/core';
import { memoryAdminPages } from './admin/admin-pages.js';
import { memoryAdminRoutes } from './admin/memory-admin-routes.js';
import { createMemoryComposer } from './bot/memory-composer.js';
import { type MemoryConfig, MemoryConfigSchema } from './config.js';
import { memoryJobs } from './jobs.js';
import { memoryMigrations } from './migrations/0001-create-memory-tables.js';
import {
  createMemoryServices,
  type MemoryServices,
  resolveOptional,
  resolveUsageService,
} from './services/memory-services.js';

export { type MemoryConfig, MemoryConfigSchema } from './config.js';
export type { MemoryServices } from './services/memory-services.js';
export { memoryNamespace } from './services/memory-store.js';
export { type BuiltPrompt, buildPrompt, type PromptInput, systemPromptFor } from './services/prompt.js';
export { splitMessage, TELEGRAM_TEXT_LIMIT } from './services/split-message.js';
export { EXPORT_FORMAT } from './services/user-data-service.js';

const version = '0.1.0';

/** The plugin's services, resolvable from the plugin's container (`app.resolver('memory')`). */
export const MemoryServicesToken = createToken<{ get(): MemoryServices }>('memory.MemoryServices');

export type MemoryOptions = Partial<MemoryConfig>;

/** A personal AI agent with sessions and long-term memory (RAG). */
export default function memoryPlugin(options: MemoryOptions = {}) {
  const services = (resolve: Resolve) => resolve(MemoryServicesToken).get();
  return definePlugin({
    id: 'memory',
    version,
    core: '^0.1.0',
    config: MemoryConfigSchema,
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
      { command: 'delete_my_data', description: { en: 'Delete all my data', ru: 'Удалить все мои данные' } },
    ],
    register({ container, config, resolve, logger }) {
      let built: MemoryServices | undefined;
      container.register(MemoryServicesToken, {
        useValue: {
          get() {
            built ??= createMemoryServices({
              sequelize: resolve(Tokens.Database),
              crypto: resolve(Tokens.Crypto),
              llm: resolve(Tokens.Llm),
              vectors: resolve(Tokens.VectorStore),
              jobs: resolveOptional(resolve, Tokens.Jobs),
              kv: resolveOptional(resolve, Tokens.Kv),
              usage: resolveUsageService(resolve),
              logger,
              config,
            });
            return built;
          },
        },
      });
    },
    bot({ composer, resolve, config }) {
      composer.use(
        createMemoryComposer({
          services: () => services(resolve),
          kv: () => resolveOptional(resolve, Tokens.Kv),
          config,
        }),
      );
    },
    admin({ router, resolve }) {
      memoryAdminRoutes(router, () => services(resolve));
    },
    jobs: memoryJobs(services),
    async health({ resolve }) {
      const stats = await services(resolve).admin.stats();
      return {
        ok: true,
        details: { activeSessions: stats.activeSessions, pendingSummaries: stats.pendingSummaries },
      };
    },
  });
}
