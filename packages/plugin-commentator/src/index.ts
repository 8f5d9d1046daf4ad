import { fileURLToPath } from 'node:url';
import { coreServices, createServiceRef, definePlugin, optional } from '@botloom/core';
import type { Api } from 'grammy';
import { commentatorAdminPages, commentatorAdminWidgets } from './admin/admin-pages.js';
import { commentatorAccountRoutes } from './admin/commentator-account-routes.js';
import { commentatorAdminRoutes } from './admin/commentator-admin-routes.js';
import { commentatorRetryRoutes } from './admin/commentator-retry-routes.js';
import { createBotTelegramPort } from './bot/bot-telegram-port.js';
import { createCommentatorComposer } from './bot/commentator-composer.js';
import { type CommentatorConfig, CommentatorConfigSchema } from './config.js';
import { COMMENTATOR_EVENTS } from './events.js';
import { createGramjsGateway } from './gateway/gramjs-gateway-lazy.js';
import type { UserAccountGateway } from './gateway/user-account-gateway.js';
import { commentatorJobs } from './jobs.js';
import { commentatorMigrations } from './migrations/0001-create-commentator-tables.js';
import { type CommentatorServices, createCommentatorServices } from './services/commentator-services.js';
import { type Clock, systemClock } from './services/ports.js';

export { type CommentatorConfig, CommentatorConfigSchema } from './config.js';
export type { CommentatorMessageReceived } from './events.js';
export type { GramjsClientLike, GramjsGatewayOptions } from './gateway/gramjs-gateway.js';
export { createGramjsGateway, mapGramjsError } from './gateway/gramjs-gateway-lazy.js';
export {
  createSandboxGateway,
  SANDBOX_LOGIN_CODE,
  type SandboxGatewayOptions,
} from './gateway/sandbox-gateway.js';

import { SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';

export { isTelegramFailure, TelegramFailure, type TelegramFailureCode } from './gateway/telegram-errors.js';
export type * from './gateway/user-account-gateway.js';
export type { CommentatorServices } from './services/commentator-services.js';
export { analyseOffline, type PostAnalysis, scoreTopics } from './services/post-analysis.js';

const version = '0.1.0';

/**
 * The plugin's services, for plugins that list `commentator` in `dependsOn` and this ref in
 * `services.deps` (and for `app.services('commentator')`).
 */
export const commentatorServicesRef = createServiceRef<CommentatorServices>({
  id: 'commentator.services',
  owner: 'commentator',
});

export type CommentatorOptions = Partial<CommentatorConfig>;

/** What is wired in code rather than configured: test doubles and the user-account adapter. */
export interface CommentatorWiring {
  /** The clock for caps, flood waits and code expiry (tests pass a fake one). */
  clock?: Clock;
  /**
   * The user-account adapter. Default: none (channels the bot administers only); pass
   * `createGramjsGateway(...)` for real accounts or `createSandboxGateway(...)` in the sandbox.
   */
  accountGateway?: UserAccountGateway | (() => UserAccountGateway | null);
  /**
   * The review chat, read whenever it is needed, for an app that learns the id only after
   * the plugin is created (the reference app's sandbox makes the chat at start). Wins over
   * the `reviewChatId` setting while it returns a number.
   */
  reviewChatId?: () => number | undefined;
}

/**
 * Channel monitoring, post analysis and comments drafted in the voice of the operator's own
 * accounts, sent only after a person approves them, within caps well under Telegram's limits.
 */
export default function commentatorPlugin(options: CommentatorOptions = {}, wiring: CommentatorWiring = {}) {
  const given = wiring.accountGateway;
  return definePlugin({
    id: 'commentator',
    version,
    core: '^0.1.0',
    config: CommentatorConfigSchema,
    settingDescriptions: { ru: SETTING_DESCRIPTIONS_RU },
    options,
    locales: fileURLToPath(new URL('../locales/', import.meta.url)),
    migrations: commentatorMigrations,
    adminPages: commentatorAdminPages,
    adminWidgets: commentatorAdminWidgets,
    events: [...COMMENTATOR_EVENTS],
    provides: [commentatorServicesRef],
    services: {
      deps: {
        sequelize: coreServices.database,
        crypto: coreServices.crypto,
        llm: coreServices.llm,
        jobs: coreServices.jobs,
        events: coreServices.events,
        i18n: coreServices.i18n,
        logger: coreServices.logger,
        resolveTelegram: coreServices.telegram,
        signals: optional(coreServices.signals),
      },
      init({ deps, config, expose }) {
        const api = deps.resolveTelegram as Api;
        // Real accounts through gramjs once api_id/api_hash are set, unless the app wires its own adapter.
        const gramjs =
          config.apiId !== undefined && config.apiHash
            ? createGramjsGateway({ apiId: config.apiId, apiHash: config.apiHash })
            : null;
        const gateway: () => UserAccountGateway | null =
          typeof given === 'function' ? given : () => (given as UserAccountGateway | undefined) ?? gramjs;
        const services = createCommentatorServices({
          ...deps,
          config,
          bot: createBotTelegramPort(() => api),
          clock: wiring.clock ?? systemClock,
          gateway,
          reviewChatId: wiring.reviewChatId,
        });
        expose(commentatorServicesRef, services);
        return services;
      },
    },
    userData: {
      describe: 'commentator-user-data',
      async erase(userId, { services }) {
        await services.inbox.erase(userId);
      },
    },
    bot({ composer, services }) {
      composer.use(createCommentatorComposer(() => services));
    },
    admin({ router, services }) {
      commentatorAdminRoutes(router, () => services);
      commentatorRetryRoutes(router, () => services);
      commentatorAccountRoutes(router, () => services);
    },
    jobs: commentatorJobs(),
    async start({ services }) {
      await services.scope.start();
      await services.accounts.botAccount(services.config.brandName);
      await services.sessions.restoreAll();
      await services.channels.watchAccountChannels(async (post) => {
        await services.queuePost(post.id);
      });
    },
    async stop({ services }) {
      services.channels.stopWatching();
      await services.scope.stop();
      await services.sessions.disconnectAll();
    },
    async health({ services }) {
      const stats = await services.stats.stats();
      return { ok: true, details: { pending: stats.pending, sent: stats.sent, failed: stats.failed } };
    },
  });
}
