import type {
  CoreConfig,
  Crypto,
  EventBus,
  FileStorage,
  Jobs,
  Llm,
  Realtime,
  Translator,
  VectorStore,
} from '@botloom/core';
import { createRealtime, splitText } from '@botloom/core';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { type KeyboardStore, KvCustomerKeyboards } from './bot/customer-keyboards.js';
import { GrammyTelegramPort } from './bot/telegram-port.js';
import { managerGroupChatIdOf, type SupportConfig, type SupportWiring } from './config.js';
import { MessageTextCodec } from './db/message-text.js';
import { FileLinks } from './http/public-routes.js';
import { type WebAppRef, webAppChannel } from './http/web-app-fan-out.js';
import { WebAppHub } from './http/web-app-hub.js';
import { AnswerService } from './services/answer-service.js';
import { KNOWLEDGE_NAMESPACE, KnowledgeService } from './services/knowledge-service.js';
import { ManagerService } from './services/manager-service.js';
import { pendingQuestionsOverJobs } from './services/pending-questions-over-jobs.js';
import type { WebAppEvent } from './services/ports.js';
import { StatsService } from './services/stats-service.js';
import { SupportDesk } from './services/support-desk.js';
import { TicketService } from './services/ticket-service.js';

export interface SupportServiceDeps {
  database: Sequelize;
  crypto: Crypto;
  vectors: VectorStore;
  llm: Llm;
  /** Absent only in an app without a bot (`sandbox: false` and no token). */
  telegram: Api | undefined;
  kv: KeyboardStore;
  jobs: Jobs;
  i18n: Translator;
  events: EventBus;
  files: FileStorage;
  core: CoreConfig;
  publicUrl: { base(): string | undefined };
  /** Core's WebSocket fan-out: web app events reach sockets held by other instances. */
  realtime?: Realtime;
}

/** Keeps the knowledge directory in sync and remembers how the last sync went. */
export class KnowledgeDirectorySync {
  last: { at: string; report?: unknown; error?: string } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly knowledge: KnowledgeService,
    private readonly dir: string | undefined,
  ) {}

  async sync() {
    if (!this.dir) return { skipped: 'knowledgeDir is not set' };
    try {
      const report = await this.knowledge.syncDirectory(this.dir);
      this.last = { at: new Date().toISOString(), report };
      return report;
    } catch (err) {
      this.last = { at: new Date().toISOString(), error: err instanceof Error ? err.message : String(err) };
      throw err;
    }
  }

  rescanEvery(seconds: number): void {
    if (!this.dir || seconds <= 0) return;
    this.timer = setInterval(() => void this.sync().catch(() => undefined), seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The web app event a cross-instance signal names, read again from the database. */
async function loadWebAppEvent(
  tickets: TicketService,
  presenter: SupportDesk['presenter'],
  ref: WebAppRef,
): Promise<WebAppEvent | undefined> {
  if (ref.ticketId !== undefined) {
    const ticket = await tickets.get(ref.ticketId);
    return ticket && ticket.customerId === ref.customerId
      ? { type: 'ticket', ticket: presenter.ticketView(ticket) }
      : undefined;
  }
  if (ref.messageId !== undefined) {
    const message = await tickets.messageOfCustomer(ref.customerId, ref.messageId);
    return message ? { type: 'message', message: presenter.messageView(message, ref.customerId) } : undefined;
  }
  return undefined;
}

/** Every service of the support plugin, wired once in its services stage. */
export function createSupportServices(
  deps: SupportServiceDeps,
  config: SupportConfig,
  logger: Logger,
  wiring: SupportWiring = {},
) {
  const api = (): Api => {
    if (!deps.telegram) throw new Error('support needs the bot: this app runs without one');
    return deps.telegram;
  };
  const botToken = () => api().token;
  const links = new FileLinks(botToken);
  const tickets = new TicketService(deps.database, new MessageTextCodec(deps.crypto));
  const managers = new ManagerService(deps.database);
  const knowledge = new KnowledgeService(
    deps.database,
    deps.vectors,
    (text, o) => splitText(text, { chunkSize: o.chunkSize, overlap: o.overlap }),
    { chunkSize: config.chunkSize, lexicalWeight: config.lexicalWeight },
    logger.child({ component: 'knowledge' }),
  );
  const answers = new AnswerService(knowledge, deps.llm, {
    minConfidence: config.minConfidence,
    topK: config.retrievalTopK,
  });
  let desk: SupportDesk | undefined;
  const hub = new WebAppHub({
    customers: () => desk!.customers,
    botToken,
    maxAgeSeconds: config.initDataMaxAgeSeconds,
    logger,
    // Without core's realtime service (an app without one), the fan-out stays in this process.
    channel: (deps.realtime ?? createRealtime({ crypto: deps.crypto, logger })).channel(
      webAppChannel((ref) => loadWebAppEvent(tickets, desk!.presenter, ref)),
    ),
  });
  desk = new SupportDesk({
    tickets,
    managers,
    answers,
    telegram: new GrammyTelegramPort(api),
    hub,
    keyboards: new KvCustomerKeyboards(() => deps.kv, api, logger.child({ component: 'keyboards' })),
    pending: pendingQuestionsOverJobs(
      () => deps.jobs,
      () => config.outageRetrySeconds,
      () => logger,
    ),
    translator: deps.i18n,
    events: deps.events,
    files: () => deps.files,
    config,
    groupChatId: () => managerGroupChatIdOf(config, wiring),
    logger: logger.child({ component: 'desk' }),
    fileUrl: (fileId, customerId) => links.url(fileId, customerId),
  });
  const knowledgeSync = new KnowledgeDirectorySync(knowledge, config.knowledgeDir);

  /** The web app's address, when Telegram (https) or the sandbox (any URL) can open it. */
  const webAppUrl = (): string | undefined => {
    const core = deps.core;
    const base = deps.publicUrl.base();
    const url = config.webAppUrl ?? (base ? `${base}/p/support/app` : undefined);
    if (!url) return undefined;
    if (core.TELEGRAM_BOT_TOKEN && !url.startsWith('https://')) return undefined;
    return url;
  };

  const status = async () => {
    const [items, chunks, managerList] = await Promise.all([
      knowledge.list(),
      deps.vectors.count(KNOWLEDGE_NAMESPACE),
      managers.list(),
    ]);
    return {
      managerGroup: { ...desk!.groupHealth.status(), chatId: desk!.managerGroupChatId() ?? null },
      knowledge: {
        items: items.length,
        unindexed: items.filter((i) => !i.indexed).length,
        chunks,
        dir: config.knowledgeDir ?? null,
        lastSync: knowledgeSync.last,
      },
      managers: managerList.length,
      webAppUrl: webAppUrl() ?? null,
    };
  };

  return {
    tickets,
    managers,
    knowledge,
    stats: new StatsService(deps.database),
    desk,
    hub,
    links,
    knowledgeSync,
    webAppUrl,
    status,
    files: () => deps.files,
  };
}

export type SupportServices = ReturnType<typeof createSupportServices>;
