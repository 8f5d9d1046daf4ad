import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { coreServices, createServiceRef, definePlugin, optional, Tokens } from '@botloom/core';
import { supportAdminPages, supportAdminWidgets } from './admin/admin-pages.js';
import { setupSupportAdminRoutes } from './admin/support-admin-routes.js';
import { supportCommandVisibility } from './bot/command-visibility.js';
import { createSupportComposer } from './bot/support-composer.js';
import { managerGroupChatIdOf, SupportConfigSchema, type SupportWiring } from './config.js';
import { sealPlaintextMessages } from './db/seal-on-start.js';
import { setupPublicRoutes } from './http/public-routes.js';
import { supportJobs } from './jobs.js';
import { supportMigrations } from './migrations/0001-create-support-tables.js';
import { supportKnowledgeRef } from './refs.js';
import type { SupportDesk } from './services/support-desk.js';
import { createSupportServices } from './support-services.js';

export { type SupportConfig, SupportConfigSchema, type SupportWiring } from './config.js';
export { MessageTextCodec } from './db/message-text.js';
export type { WebAppHub } from './http/web-app-hub.js';
export { type SupportKnowledge, supportKnowledgeRef } from './refs.js';
export { type AnswerResult, AnswerService } from './services/answer-service.js';
export {
  type InitDataResult,
  signInitData,
  validateInitData,
  type WebAppUser,
} from './services/init-data.js';
export {
  KNOWLEDGE_NAMESPACE,
  type KnowledgeItem,
  type KnowledgePassage,
  KnowledgeService,
} from './services/knowledge-service.js';

import { SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';

export { needsLiveData } from './services/live-data.js';
export { type Manager, ManagerService } from './services/manager-service.js';
export { StatsService, type SupportStats } from './services/stats-service.js';
export { type ManagerGroupStatus, SupportDesk } from './services/support-desk.js';
export { type SupportMessage, type Ticket, TicketService } from './services/ticket-service.js';
export { canTransition, TICKET_STATUSES, type TicketStatus } from './services/ticket-state.js';
export type { KnowledgeDirectorySync, SupportServices } from './support-services.js';

declare module '@botloom/core/events' {
  interface BotloomEvents {
    'support.ticket.opened': { ticketId: number; customerId: number; channel: 'bot' | 'webapp' };
    'support.handoff': { ticketId: number; customerId: number; channel: 'bot' | 'webapp' };
    'support.ticket.closed': {
      ticketId: number;
      customerId: number;
      closedBy: 'customer' | 'manager' | 'system';
      aiResolved: boolean;
      resolutionSeconds: number | null;
      firstResponseSeconds: number | null;
    };
    'support.ticket.rated': { ticketId: number; customerId: number; rating: number };
    'support.handback': {
      ticketId: number;
      customerId: number;
      from: 'waiting_manager' | 'with_manager';
      by: 'manager' | 'admin';
      /** The manager's Telegram id; null for an admin. */
      actorId: number | null;
    };
  }
}

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
};
export const SUPPORT_LOCALES_DIR = fileURLToPath(new URL('../locales/', import.meta.url));

/**
 * The desk of a running app, for plugins that list `support` in `dependsOn` and this ref in
 * `services.deps`.
 */
export const supportDeskRef = createServiceRef<SupportDesk>({ id: 'support.desk', owner: 'support' });
/** The same service as a raw DI token, for `resolve()`; prefer `supportDeskRef` in deps. */
export const SupportDeskToken = supportDeskRef.token;

export type SupportOptions = Partial<z_input>;
type z_input = import('zod').input<typeof SupportConfigSchema>;

/**
 * The support desk plugin: knowledge-based AI answers, handoff to manager forum topics, a web app chat.
 * `wiring` is what an app wires in code (see `SupportWiring`).
 */
export default function supportPlugin(options: SupportOptions = {}, wiring: SupportWiring = {}) {
  return definePlugin({
    id: 'support',
    version: pkg.version,
    core: '^0.1.0',
    config: SupportConfigSchema,
    settingDescriptions: { ru: SETTING_DESCRIPTIONS_RU },
    options,
    env: { managerGroupChatId: ['MANAGER_GROUP_CHAT_ID'], adminUserId: ['ADMIN_USER_ID'] },
    locales: SUPPORT_LOCALES_DIR,
    migrations: supportMigrations,
    adminPages: supportAdminPages,
    adminWidgets: supportAdminWidgets,
    // Read from ctx.config on every message, so a change from the panel applies at once.
    runtimeSettings: ['maxMessageChars'],
    jobs: supportJobs(),
    events: [
      'support.ticket.opened',
      'support.handoff',
      'support.handback',
      'support.ticket.closed',
      'support.ticket.rated',
    ],
    commands: [
      { command: 'support', description: { en: 'Chat with support', ru: 'Написать в поддержку' } },
      {
        command: 'addmanager',
        description: { en: 'Add a support manager', ru: 'Добавить менеджера' },
        hidden: true,
        visibleTo: supportCommandVisibility.admin,
      },
      {
        command: 'removemanager',
        description: { en: 'Remove a support manager', ru: 'Удалить менеджера' },
        hidden: true,
        visibleTo: supportCommandVisibility.admin,
      },
      {
        command: 'managers',
        description: { en: 'List support managers', ru: 'Список менеджеров' },
        hidden: true,
        visibleTo: supportCommandVisibility.admin,
      },
      {
        command: 'bot',
        description: { en: 'Hand this ticket back to the assistant', ru: 'Вернуть обращение ассистенту' },
        scope: 'group',
        hidden: true,
        visibleTo: (who, config) => supportCommandVisibility.managerGroup(who, config, wiring),
      },
      {
        command: 'close',
        description: { en: 'Close this ticket', ru: 'Закрыть обращение' },
        scope: 'group',
        hidden: true,
        visibleTo: (who, config) => supportCommandVisibility.managerGroup(who, config, wiring),
      },
    ],
    provides: [supportDeskRef, supportKnowledgeRef],
    services: {
      deps: {
        database: coreServices.database,
        crypto: coreServices.crypto,
        vectors: coreServices.vectorStore,
        llm: coreServices.llm,
        telegram: optional(coreServices.telegram),
        kv: coreServices.kv,
        jobs: coreServices.jobs,
        i18n: coreServices.i18n,
        events: coreServices.events,
        files: coreServices.files,
        core: coreServices.config,
        publicUrl: coreServices.publicUrl,
        realtime: optional(coreServices.realtime),
      },
      init({ deps, config, logger, expose }) {
        const services = createSupportServices(deps, config, logger, wiring);
        expose(supportDeskRef, services.desk);
        const { knowledge } = services;
        expose(supportKnowledgeRef, { search: (question, k) => knowledge.search(question, k) });
        return services;
      },
    },
    conversation: { intro: 'support-intro', menu: 'support-menu', deepLinks: ['support'], freeText: 'all' },
    userData: {
      describe: 'support-user-data',
      async erase(userId, { services }) {
        await services.desk.customerData.erase(userId);
      },
    },
    bot({ composer, config, logger, services }) {
      composer.use(
        createSupportComposer({
          customers: () => services.desk.customers,
          managerDesk: () => services.desk.managerDesk,
          managers: () => services.managers,
          managerGroupChatId: () => managerGroupChatIdOf(config, wiring),
          config,
          webAppUrl: services.webAppUrl,
          logger,
        }),
      );
    },
    admin({ router, services }) {
      setupSupportAdminRoutes(router, {
        tickets: () => services.tickets,
        knowledge: () => services.knowledge,
        managers: () => services.managers,
        stats: () => services.stats,
        closing: () => services.desk.closing,
        handBack: () => services.desk.handBack,
        groupHealth: () => services.desk.groupHealth,
        syncKnowledge: () => services.knowledgeSync.sync(),
        status: services.status,
      });
    },
    http({ router, onUpgrade, config, logger, services }) {
      if (!onUpgrade)
        logger.error('this core version cannot accept WebSocket upgrades: the web app chat will not connect');
      onUpgrade?.('/ws', services.hub.handleUpgrade);
      setupPublicRoutes(router, {
        customers: () => services.desk.customers,
        hub: services.hub,
        files: services.files,
        links: services.links,
        config,
      });
    },
    async start({ config, logger, services, resolve }) {
      // The group check talks to Telegram (the chat, then the bot's membership); a problem is
      // reported (health, log, admin), never fatal. It needs nothing of the database work
      // below, so the two run side by side rather than one after the other.
      const groupChecked = services.desk.groupHealth
        .check()
        .catch((err) => logger.error({ err }, 'manager group check failed'));
      await sealPlaintextMessages(resolve(Tokens.Database), resolve(Tokens.Crypto), logger);
      await services.hub.start();
      if (config.adminUserId !== undefined) await services.managers.ensure(config.adminUserId, 'Admin');
      if (config.knowledgeDir) {
        await services.knowledgeSync
          .sync()
          .catch((err) =>
            logger.error({ err, dir: config.knowledgeDir }, 'knowledge directory could not be read'),
          );
        services.knowledgeSync.rescanEvery(config.knowledgeRescanSeconds);
      }
      await services.knowledge
        .reindexStale()
        .catch((err) => logger.error({ err }, 'stale knowledge items could not be re-indexed'));
      await groupChecked;
    },
    async stop({ services }) {
      services.knowledgeSync.stop();
      await services.hub.close();
    },
    async health({ services }) {
      const details = await services.status();
      return { ok: details.managerGroup.state === 'ok', details };
    },
  });
}

export { supportPlugin };
