import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createToken, definePlugin, type Resolve, splitText, Tokens } from '@botloom/core';
import type { Logger } from 'pino';
import { supportAdminPages, supportAdminWidgets } from './admin/admin-pages.js';
import { setupSupportAdminRoutes } from './admin/support-admin-routes.js';
import { KvCustomerKeyboards } from './bot/customer-keyboards.js';
import { createSupportComposer } from './bot/support-composer.js';
import { GrammyTelegramPort } from './bot/telegram-port.js';
import { type SupportConfig, SupportConfigSchema } from './config.js';
import { MessageTextCodec } from './db/message-text.js';
import { sealPlaintextMessages } from './db/seal-on-start.js';
import { FileLinks, setupPublicRoutes } from './http/public-routes.js';
import { WebAppHub } from './http/web-app-hub.js';
import { pendingQuestionsOverJobs, supportJobs } from './jobs.js';
import { supportMigrations } from './migrations/0001-create-support-tables.js';
import { AnswerService } from './services/answer-service.js';
import { KNOWLEDGE_NAMESPACE, KnowledgeService } from './services/knowledge-service.js';
import { ManagerService } from './services/manager-service.js';
import { StatsService } from './services/stats-service.js';
import { SupportDesk } from './services/support-desk.js';
import { TicketService } from './services/ticket-service.js';

export { type SupportConfig, SupportConfigSchema } from './config.js';
export { MessageTextCodec } from './db/message-text.js';
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
export { needsLiveData } from './services/live-data.js';
export { type Manager, ManagerService } from './services/manager-service.js';
export { StatsService, type SupportStats } from './services/stats-service.js';
export { type ManagerGroupStatus, SupportDesk } from './services/support-desk.js';
export { type SupportMessage, type Ticket, TicketService } from './services/ticket-service.js';
export { canTransition, TICKET_STATUSES, type TicketStatus } from './services/ticket-state.js';

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
  }
}

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
};
export const SUPPORT_LOCALES_DIR = fileURLToPath(new URL('../locales/', import.meta.url));

/** The desk of a running app, for plugins that depend on `support`. */
export const SupportDeskToken = createToken<SupportDesk>('support.SupportDesk');

interface SupportServices {
  tickets: TicketService;
  managers: ManagerService;
  knowledge: KnowledgeService;
  stats: StatsService;
  desk: SupportDesk;
}

export type SupportOptions = Partial<z_input>;
type z_input = import('zod').input<typeof SupportConfigSchema>;

/** The support desk plugin: knowledge-based AI answers, handoff to manager forum topics, a web app chat. */
export default function supportPlugin(options: SupportOptions = {}) {
  let config: SupportConfig | undefined;
  let logger: Logger | undefined;
  let resolve: Resolve | undefined;
  let built: SupportServices | undefined;
  let rescanTimer: NodeJS.Timeout | undefined;
  let lastSync: { at: string; report?: unknown; error?: string } | undefined;

  const botToken = () => resolve!(Tokens.TelegramApi).token;
  const links = new FileLinks(botToken);
  const hub = new WebAppHub({
    customers: () => services().desk.customers,
    botToken,
    get maxAgeSeconds() {
      return config?.initDataMaxAgeSeconds ?? 86_400;
    },
    get logger() {
      return logger!;
    },
  } as ConstructorParameters<typeof WebAppHub>[0]);

  function services(): SupportServices {
    if (built) return built;
    if (!resolve || !config || !logger) throw new Error('support plugin used before it was set up');
    const db = resolve(Tokens.Database);
    const tickets = new TicketService(db, new MessageTextCodec(resolve(Tokens.Crypto)));
    const managers = new ManagerService(db);
    const knowledge = new KnowledgeService(
      db,
      resolve(Tokens.VectorStore),
      (text, o) => splitText(text, { chunkSize: o.chunkSize, overlap: o.overlap }),
      { chunkSize: config.chunkSize, lexicalWeight: config.lexicalWeight },
      logger.child({ component: 'knowledge' }),
    );
    const answers = new AnswerService(knowledge, resolve(Tokens.Llm), {
      minConfidence: config.minConfidence,
      topK: config.retrievalTopK,
    });
    const api = resolve(Tokens.TelegramApi);
    const desk = new SupportDesk({
      tickets,
      managers,
      answers,
      telegram: new GrammyTelegramPort(() => api),
      hub,
      keyboards: new KvCustomerKeyboards(
        () => resolve!(Tokens.Kv),
        () => api,
        logger.child({ component: 'keyboards' }),
      ),
      pending: pendingQuestionsOverJobs(
        () => resolve!(Tokens.Jobs),
        () => config!.outageRetrySeconds,
        () => logger!,
      ),
      translator: resolve(Tokens.I18n),
      events: resolve(Tokens.Events),
      files: () => resolve!(Tokens.Files),
      config,
      logger: logger.child({ component: 'desk' }),
      fileUrl: (fileId, customerId) => links.url(fileId, customerId),
    });
    built = { tickets, managers, knowledge, stats: new StatsService(db), desk };
    return built;
  }

  function webAppUrl(): string | undefined {
    if (!resolve || !config) return undefined;
    const core = resolve(Tokens.CoreConfig);
    const url =
      config.webAppUrl ??
      (core.PUBLIC_URL ? `${core.PUBLIC_URL.replace(/\/+$/, '')}/p/support/app` : undefined);
    if (!url) return undefined;
    // Telegram only opens https web apps; the sandbox opens any URL.
    if (core.TELEGRAM_BOT_TOKEN && !url.startsWith('https://')) return undefined;
    return url;
  }

  async function syncKnowledge() {
    if (!config?.knowledgeDir) return { skipped: 'knowledgeDir is not set' };
    try {
      const report = await services().knowledge.syncDirectory(config.knowledgeDir);
      lastSync = { at: new Date().toISOString(), report };
      return report;
    } catch (err) {
      lastSync = { at: new Date().toISOString(), error: err instanceof Error ? err.message : String(err) };
      throw err;
    }
  }

  async function status() {
    const s = services();
    const managerGroup = s.desk.groupHealth.status();
    const [items, chunks, managers] = await Promise.all([
      s.knowledge.list(),
      resolve!(Tokens.VectorStore).count(KNOWLEDGE_NAMESPACE),
      s.managers.list(),
    ]);
    return {
      managerGroup,
      knowledge: {
        items: items.length,
        unindexed: items.filter((i) => !i.indexed).length,
        chunks,
        dir: config?.knowledgeDir ?? null,
        lastSync,
      },
      managers: managers.length,
      webAppUrl: webAppUrl() ?? null,
    };
  }

  return definePlugin({
    id: 'support',
    version: pkg.version,
    core: '^0.1.0',
    config: SupportConfigSchema,
    options,
    env: { managerGroupChatId: ['MANAGER_GROUP_CHAT_ID'], adminUserId: ['ADMIN_USER_ID'] },
    locales: SUPPORT_LOCALES_DIR,
    migrations: supportMigrations,
    adminPages: supportAdminPages,
    adminWidgets: supportAdminWidgets,
    // Read from ctx.config on every message, so a change from the panel applies at once.
    runtimeSettings: ['maxMessageChars'],
    jobs: supportJobs(() => services().desk.customers),
    events: ['support.ticket.opened', 'support.handoff', 'support.ticket.closed', 'support.ticket.rated'],
    commands: [
      { command: 'support', description: { en: 'Chat with support', ru: 'Написать в поддержку' } },
      {
        command: 'addmanager',
        description: { en: 'Add a support manager', ru: 'Добавить менеджера' },
        hidden: true,
      },
      {
        command: 'removemanager',
        description: { en: 'Remove a support manager', ru: 'Удалить менеджера' },
        hidden: true,
      },
      {
        command: 'managers',
        description: { en: 'List support managers', ru: 'Список менеджеров' },
        hidden: true,
      },
      {
        command: 'close',
        description: { en: 'Close this ticket', ru: 'Закрыть обращение' },
        scope: 'group',
        hidden: true,
      },
    ],
    register(ctx) {
      config = ctx.config;
      logger = ctx.logger;
      resolve = ctx.resolve;
      ctx.expose(SupportDeskToken, () => services().desk);
    },
    bot({ composer, config: c, logger: log }) {
      composer.use(
        createSupportComposer({
          customers: () => services().desk.customers,
          managerDesk: () => services().desk.managerDesk,
          managers: () => services().managers,
          config: c,
          webAppUrl,
          logger: log,
        }),
      );
    },
    admin({ router }) {
      setupSupportAdminRoutes(router, {
        tickets: () => services().tickets,
        knowledge: () => services().knowledge,
        managers: () => services().managers,
        stats: () => services().stats,
        closing: () => services().desk.closing,
        groupHealth: () => services().desk.groupHealth,
        syncKnowledge,
        status,
      });
    },
    http({ router, onUpgrade, config: c, logger: log }) {
      if (!onUpgrade)
        log.error('this core version cannot accept WebSocket upgrades: the web app chat will not connect');
      onUpgrade?.('/ws', hub.handleUpgrade);
      setupPublicRoutes(router, {
        customers: () => services().desk.customers,
        hub,
        files: () => resolve!(Tokens.Files),
        links,
        config: c,
      });
    },
    async start({ config: c, logger: log }) {
      const s = services();
      await sealPlaintextMessages(resolve!(Tokens.Database), resolve!(Tokens.Crypto), log);
      if (c.adminUserId !== undefined) await s.managers.ensure(c.adminUserId, 'Admin');
      if (c.knowledgeDir) {
        await syncKnowledge().catch((err) =>
          log.error({ err, dir: c.knowledgeDir }, 'knowledge directory could not be read'),
        );
        if (c.knowledgeRescanSeconds > 0) {
          rescanTimer = setInterval(() => {
            void syncKnowledge().catch(() => undefined);
          }, c.knowledgeRescanSeconds * 1000);
          rescanTimer.unref();
        }
      }
      await s.knowledge
        .reindexStale()
        .catch((err) => log.error({ err }, 'stale knowledge items could not be re-indexed'));
      // The group check talks to Telegram; a problem is reported (health, log, admin), never fatal.
      await s.desk.groupHealth.check().catch((err) => log.error({ err }, 'manager group check failed'));
    },
    async stop() {
      if (rescanTimer) clearInterval(rescanTimer);
      rescanTimer = undefined;
      await hub.close();
    },
    async health() {
      if (!built) return { ok: false, details: { reason: 'not started' } };
      const details = await status();
      return { ok: details.managerGroup.state === 'ok', details };
    },
  });
}

export { supportPlugin };
