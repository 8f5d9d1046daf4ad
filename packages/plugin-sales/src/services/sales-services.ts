import type { Crypto, Jobs, Llm, Signals, Translator } from '@botloom/core';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { SalesConfig } from '../config.js';
import { demoScenarioFor, type EducationModule, type ScenarioLookup } from '../education/index.js';
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
export const MANAGER_ALERT_JOB = 'manager-alert';

export interface SalesServiceDeps {
  sequelize: Sequelize;
  crypto: Crypto;
  llm: Llm;
  jobs: Jobs | null;
  signals: Signals | undefined;
  /** The bot's API when the app has a bot (looked up when a message is sent). */
  telegram: () => Api | undefined;
  i18n: SalesTranslator & Partial<Translator>;
  logger: Logger;
  config: SalesConfig;
  clock?: Clock;
  /** The education group implementation, when the app has one; `setEducation` plugs it in later. */
  education?: EducationGroupPort;
  /**
   * Builds the education groups module (pool groups, invites, Script #2). When given and
   * `config.educationGroups` is on, consenting clients are handed to it.
   */
  educationGroups?: (scenarioFor: ScenarioLookup) => EducationModule;
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
  // Script #2 is the `education` section of the version the conversation was pinned to;
  // a script without one (or a group without a script) gets the demo lesson in its language.
  const educationGroups = deps.educationGroups?.(async (ref) => {
    if (ref.scriptId && ref.scriptVersion !== null) {
      const version = await scripts.version(ref.scriptId, ref.scriptVersion).catch(() => null);
      if (version?.definition.education) return version.definition.education;
    }
    return demoScenarioFor(ref.locale);
  });
  if (educationGroups && deps.config.educationGroups) education ??= educationGroups.port;
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
    managerAlerts: deps.jobs
      ? {
          schedule: async (data) => {
            await deps.jobs!.send(MANAGER_ALERT_JOB, data, {
              singletonKey: `${data.conversationId}:${data.chatId}`,
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
    /** Education groups and Script #2 (absent when the app builds the services without them). */
    educationGroups,
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
