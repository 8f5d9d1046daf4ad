import {
  type AdminState,
  type Crypto,
  createSharedIdSet,
  type Jobs,
  type Llm,
  type Signals,
  type Translator,
} from '@botloom/core';
import type { Router } from '@koa/router';
import { Api, type Composer, type Context } from 'grammy';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { EducationGroupPort } from '../services/education-port.js';
import { registerEducationAdminRoutes } from './admin-routes.js';
import { assistantTokens, type EducationConfig } from './config.js';
import { DisclosedAssistants } from './disclosed-assistants.js';
import { createEducationComposer } from './education-composer.js';
import { EducationGroupService } from './education-group-service.js';
import { GroupPostDelivery } from './group-posts.js';
import { EducationGroupStore } from './group-store.js';
import { GroupMessageAnalyzer } from './message-analysis.js';
import { EducationScenarioRunner, type ScenarioLookup } from './scenario-runner.js';
import { demoScenarioFor } from './scenario-schema.js';
import { GrammyAssistantBots, GrammyEducationTelegram } from './telegram-adapter.js';

export { educationAdminPages } from './admin-pages.js';
export { type EducationConfig, EducationConfigSchema } from './config.js';
export { ASSISTANT_MARKER, DisclosedAssistants, markAssistantText } from './disclosed-assistants.js';
export { EducationGroupService } from './education-group-service.js';
export * from './errors.js';
export { GroupPostDelivery, POST_JOB, type PostJobData } from './group-posts.js';
export type { EducationGroup, GroupPost, GroupStatus, PostStatus } from './group-store.js';
export { type EducationJobTarget, EXPIRE_OFFERS_JOB, educationJobs } from './jobs.js';
export { type GroupMessageAnalysis, GroupMessageAnalyzer, offlineAnalysis } from './message-analysis.js';
export type { AssistantBotsPort, AssistantIdentity, EducationTelegram } from './ports.js';
export { decideResponder, type ResponderAction } from './responder.js';
export { EducationScenarioRunner, type ScenarioLookup, type ScenarioRef } from './scenario-runner.js';
export * from './scenario-schema.js';

export interface EducationModuleDeps {
  database: Sequelize;
  crypto: Crypto;
  llm: Llm;
  /** The main bot's Api (absent in an app without a bot). */
  telegram: Api | undefined;
  i18n: Translator;
  config: EducationConfig;
  logger: Logger;
  /**
   * Core's durable jobs: each of Script #2's posts is sent by one (the module's `educationJobs`
   * must be in the plugin's jobs). Without them (unit tests) posts are sent in the caller.
   */
  jobs?: Jobs | null;
  /** Script #2 of a sales script (its `education` section); default: the demo scenario by locale. */
  scenarioFor?: ScenarioLookup;
  /** Send the invite link to the client (default true; the sales plugin sends it in its own reply). */
  announceInvites?: boolean;
  /** Cross-instance signals: the groups' chats held in memory follow other instances' additions. */
  signals?: Signals;
}

export interface EducationModule {
  port: EducationGroupPort;
  service: EducationGroupService;
  store: EducationGroupStore;
  assistants: DisclosedAssistants;
  /** Sends Script #2's planned posts (the `education-post` job calls `deliver`). */
  posts: GroupPostDelivery;
  /** grammY handlers: chat_member, chat_shared, text in education groups. */
  composer<C extends Context>(): Composer<C>;
  registerAdminRoutes(router: Router<AdminState>): void;
  /** Frees pool groups whose invite was not used within `educationOfferTtlHours` of `now` (the cron job calls it). */
  expireStaleOffers(now?: Date): Promise<{ released: number; closed: number }>;
  /** Sends one planned post and the group's open posts after it (the `education-post` job). */
  deliverPost(postId: number): Promise<number>;
  /** Re-queues posts whose delivery stalled (an instance stopped between planning and queueing). */
  resumeStalledPosts(): Promise<number>;
  /** For the plugin's `userData.erase`: the client's group messages and links to them. */
  eraseUser(userId: number): Promise<void>;
  /** Loads the education groups' chats into memory (until then every group's messages are looked up). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the education groups module (call it in the sales plugin's services stage). */
export function createEducationModule(deps: EducationModuleDeps): EducationModule {
  const logger = deps.logger.child({ module: 'education' });
  const api = () => {
    if (!deps.telegram) throw new Error('Education groups need the bot: the app runs without Telegram');
    return deps.telegram;
  };
  const chats = createSharedIdSet({
    name: 'sales.education-chats',
    signals: deps.signals,
    logger,
    load: () => store.chatIds(),
  });
  const store: EducationGroupStore = new EducationGroupStore(deps.database, deps.crypto, chats);
  const telegram = new GrammyEducationTelegram(api);
  const assistantBots = new GrammyAssistantBots(
    assistantTokens(deps.config),
    (token) =>
      new Api(token, deps.telegram?.options?.apiRoot ? { apiRoot: deps.telegram.options.apiRoot } : {}),
    logger,
  );
  const assistants = new DisclosedAssistants(assistantBots, deps.i18n, logger);
  const posts = new GroupPostDelivery(store, telegram, assistants, deps.i18n, deps.jobs, logger);
  const runner = new EducationScenarioRunner({
    store,
    posts,
    assistants,
    analyzer: new GroupMessageAnalyzer(deps.llm, logger),
    translator: deps.i18n,
    scenarioFor: deps.scenarioFor ?? (async (ref) => demoScenarioFor(ref.locale)),
    logger,
  });
  const service = new EducationGroupService(
    store,
    telegram,
    runner,
    deps.i18n,
    { clientGroups: deps.config.educationClientGroups, announceInvites: deps.announceInvites },
    logger,
  );
  return {
    port: service,
    service,
    store,
    assistants,
    posts,
    deliverPost: (postId) => posts.deliver(postId),
    resumeStalledPosts: () => posts.resumeStalled(),
    composer: <C extends Context>() => createEducationComposer<C>(() => service, logger, chats),
    start: () => chats.start(),
    stop: () => chats.stop(),
    registerAdminRoutes: (router) =>
      registerEducationAdminRoutes(router, { service: () => service, store: () => store }),
    eraseUser: (userId) => store.eraseClient(userId),
    expireStaleOffers: (now = new Date()) =>
      service.expireOffers(new Date(now.getTime() - deps.config.educationOfferTtlHours * 3_600_000)),
  };
}
