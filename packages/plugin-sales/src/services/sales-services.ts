import type { Crypto, Jobs, Llm, Signals } from '@botloom/core';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { SalesConfig } from '../config.js';
import { ConversationStore } from './conversation-store.js';
import type { EducationGroupPort } from './education-port.js';
import type { ClientMessenger, Clock, SalesTranslator } from './ports.js';
import { PublishedScriptCache } from './published-script-cache.js';
import { SalesConversationService } from './sales-conversation-service.js';
import { SalesPipeline } from './sales-pipeline.js';
import { ScriptService } from './script-service.js';
import { Sql } from './sql.js';
import { SalesStatsService } from './stats-service.js';

export const FOLLOW_UP_JOB = 'follow-up';

export interface SalesServiceDeps {
  sequelize: Sequelize;
  crypto: Crypto;
  llm: Llm;
  jobs: Jobs | null;
  signals: Signals | undefined;
  /** The bot's API when the app has a bot (looked up when a message is sent). */
  telegram: () => Api | undefined;
  i18n: SalesTranslator;
  logger: Logger;
  config: SalesConfig;
  clock?: Clock;
  /** The education group implementation, when the app has one; `setEducation` plugs it in later. */
  education?: EducationGroupPort;
}

/** Every service of the plugin, wired together. Built once per app, in the plugin's services stage. */
export function createSalesServices(deps: SalesServiceDeps) {
  const sql = new Sql(deps.sequelize);
  const clock = deps.clock ?? (() => new Date());
  let education = deps.education;
  let cache: PublishedScriptCache | undefined;
  const scripts = new ScriptService(sql, (slug) => cache!.published(slug));
  cache = new PublishedScriptCache(() => scripts, deps.signals, deps.logger);
  const store = new ConversationStore(sql, deps.crypto);
  const pipeline = new SalesPipeline(deps.llm);
  const messenger = (): ClientMessenger | null => {
    const api = deps.telegram();
    return api ? { send: async (chatId, text) => void (await api.sendMessage(chatId, text)) } : null;
  };
  const conversations = new SalesConversationService({
    store,
    scripts,
    published: cache,
    pipeline,
    translator: deps.i18n,
    config: deps.config,
    clock,
    followUps: deps.jobs
      ? {
          schedule: async (data, afterSeconds) => {
            await deps.jobs!.send(FOLLOW_UP_JOB, data, {
              startAfter: afterSeconds,
              singletonKey: `${data.conversationId}:${data.stage}:${data.clientAt}`,
            });
          },
        }
      : null,
    messenger,
    education: () => education,
    logger: deps.logger,
  });
  return {
    sql,
    scripts,
    published: cache,
    store,
    pipeline,
    conversations,
    stats: new SalesStatsService(sql),
    config: deps.config,
    clock,
    /** The education group port, when one is plugged in. */
    get education(): EducationGroupPort | undefined {
      return education;
    },
    /** Plugs in the education group implementation (the education part calls this at its start). */
    setEducation(port: EducationGroupPort | undefined) {
      education = port;
    },
  };
}

export type SalesServices = ReturnType<typeof createSalesServices>;
