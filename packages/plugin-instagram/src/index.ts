import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  coreServices,
  createServiceRef,
  definePlugin,
  type JobDefinition,
  optional,
  Tokens,
} from '@botloom/core';
import type { SupportKnowledge } from '@botloom/plugin-support/refs';
import type { z } from 'zod';
import { instagramAdminPages, instagramAdminWidgets } from './admin/admin-pages.js';
import { setupAgentAdminRoutes } from './admin/agent-admin-routes.js';
import { setupInstagramAdminRoutes } from './admin/instagram-admin-routes.js';
import { InstagramConfigSchema } from './config.js';
import { InboxHub } from './http/inbox-hub.js';
import { setupWebhookRoutes } from './http/webhook-routes.js';
import { instagramMigrations } from './migrations/0001-create-instagram-tables.js';
import { type InstagramSandbox, sandboxWanted, startInstagramSandbox } from './sandbox/instagram-sandbox.js';
import { setupPlaygroundRoutes } from './sandbox/playground-routes.js';
import { PLAN_STEP_JOB } from './services/agent-plans.js';
import { FOLLOW_UP_JOB, type FollowUpJob } from './services/follow-ups.js';
import {
  createInstagramServices,
  type InstagramServices,
  type InstagramWiring,
  SUMMARY_JOB,
} from './services/instagram-services.js';
import type { KnowledgeSource } from './services/knowledge.js';
import { SEND_JOB } from './services/outbox.js';
import { type LaneWork, laneJob, MAX_THREAD_LANES, PROCESS_JOB } from './services/webhook-inbox.js';

export { type InstagramConfig, InstagramConfigSchema } from './config.js';
export type { Conversation, StoredMessage } from './services/conversation-store.js';
export {
  BadTokenError,
  GraphApiError,
  OutsideWindowError,
  RateLimitedError,
  TemporaryGraphError,
} from './services/errors.js';
export {
  GraphClient,
  type InstagramApi,
  type OutgoingContent,
  type SendOptions,
} from './services/graph-client.js';

import { SETTING_DESCRIPTIONS_RU } from './setting-descriptions-ru.js';

export type { InstagramServices, InstagramWiring } from './services/instagram-services.js';
export type { KnowledgePassage, KnowledgeSource } from './services/knowledge.js';
export { decideWindow, type WindowDecision } from './services/messaging-window.js';
export type { OutboxEntry, ReplyRequest } from './services/outbox.js';
export { parseRule, type Rule, type RuleDefinition, RuleDefinitionSchema } from './services/rules.js';
export { signBody, verifySignature } from './services/signature.js';
export { MAX_TEXT_BYTES, splitText } from './services/text-split.js';
export { type InstagramEvent, parseDelivery } from './services/webhook-events.js';

// Support's knowledge base, when @botloom/plugin-support is installed (an optional peer): the
// ref is what the optional dependency below names; the support plugin may still be absent
// from the app, then the dependency resolves to undefined.
const supportRefs: typeof import('@botloom/plugin-support/refs') | null = await import(
  '@botloom/plugin-support/refs'
).catch(() => null);

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
};
export const INSTAGRAM_LOCALES_DIR = fileURLToPath(new URL('../locales/', import.meta.url));

/** The plugin's services, for plugins that list `instagram` in `dependsOn`. */
/** What the services stage returns: the domain services and the live inbox. */
export type InstagramPluginServices = InstagramServices & { hub: InboxHub; sandbox?: InstagramSandbox };

export const instagramServicesRef = createServiceRef<InstagramPluginServices>({
  id: 'instagram.services',
  owner: 'instagram',
});

export type InstagramOptions = Partial<z.input<typeof InstagramConfigSchema>>;

const jobs: JobDefinition<any, InstagramPluginServices>[] = [
  {
    name: PROCESS_JOB,
    retryLimit: 5,
    retryDelaySeconds: 10,
    handler: (data: { deliveryId: string }, { services }) => services.inbox.process(data.deliveryId),
  },
  // Thread lanes (see WebhookInbox): one queue each, so up to `threadConcurrency` threads at once.
  ...Array.from(
    { length: MAX_THREAD_LANES },
    (_, lane): JobDefinition<any, InstagramPluginServices> => ({
      name: laneJob(lane),
      retryLimit: 5,
      retryDelaySeconds: 10,
      handler: (data: LaneWork & { deliveryId: string }, { services }) =>
        services.inbox.process(data.deliveryId, data),
    }),
  ),
  {
    name: SEND_JOB,
    retryLimit: 5,
    retryDelaySeconds: 15,
    handler: (data: { outboxId: string }, { services }) => services.outbox.deliver(data.outboxId),
  },
  {
    name: SUMMARY_JOB,
    retryLimit: 2,
    retryDelaySeconds: 60,
    handler: async (data: { conversationId: string }, { services }) => {
      await services.agent.refreshSummary(data.conversationId);
    },
  },
  {
    name: PLAN_STEP_JOB,
    retryLimit: 3,
    retryDelaySeconds: 30,
    handler: (data: { planId: string; step: number; followUp?: boolean }, { services }) =>
      services.plans.runStep(data.planId, data.step, data.followUp ?? false),
  },
  {
    name: FOLLOW_UP_JOB,
    retryLimit: 3,
    retryDelaySeconds: 30,
    handler: (data: FollowUpJob, { services }) => services.followUps.run(data),
  },
  {
    // Deliveries stored but never queued (a crash between the two) are picked up here, and
    // replies whose send was interrupted are marked for a person (see Outbox.markInterrupted).
    name: 'requeue-pending',
    cron: '*/5 * * * *',
    cronData: {},
    handler: async (_data, { services, logger }) => {
      const n = await services.inbox.requeuePending(300);
      if (n) logger.warn({ deliveries: n }, 're-queued webhook deliveries left pending');
      await services.outbox.markInterrupted();
      await services.inbox.pruneProcessed(7);
    },
  },
];

/**
 * Support's passages in the shape AI replies read: the title is the passage's label, so the
 * model sees the topic and the offline provider, which quotes the text, does not repeat it.
 */
function fromSupport(support: SupportKnowledge): KnowledgeSource {
  return {
    async search(question, k) {
      const passages = await support.search(question, k);
      return passages.map((p) => ({
        text: p.text,
        ...(p.title ? { label: p.title } : {}),
        score: p.score,
        source: `support:${p.itemId}#${p.chunk}`,
      }));
    },
  };
}

/**
 * An Instagram DM agent: Meta's signed webhooks into durable jobs, replies through the Send
 * API within Meta's messaging window, auto-reply rules, a human inbox.
 * `wiring` replaces the clock or the Graph API client (tests, the sandbox).
 */
export default function instagramPlugin(options: InstagramOptions = {}, wiring: InstagramWiring = {}) {
  return definePlugin({
    id: 'instagram',
    version: pkg.version,
    core: '^0.1.0',
    config: InstagramConfigSchema,
    settingDescriptions: { ru: SETTING_DESCRIPTIONS_RU },
    options,
    env: {
      appSecret: ['INSTAGRAM_APP_SECRET'],
      verifyToken: ['INSTAGRAM_VERIFY_TOKEN'],
      accessToken: ['INSTAGRAM_ACCESS_TOKEN'],
      accountId: ['INSTAGRAM_ACCOUNT_ID'],
      apiRoot: ['INSTAGRAM_API_ROOT'],
      apiVersion: ['INSTAGRAM_API_VERSION'],
    },
    locales: INSTAGRAM_LOCALES_DIR,
    migrations: instagramMigrations,
    adminPages: instagramAdminPages,
    adminWidgets: instagramAdminWidgets,
    provides: [instagramServicesRef],
    optionalDependsOn: ['support'],
    services: {
      deps: {
        database: coreServices.database,
        crypto: coreServices.crypto,
        llm: coreServices.llm,
        vectors: coreServices.vectorStore,
        jobs: coreServices.jobs,
        llmUsage: optional(coreServices.llmUsage),
        kv: coreServices.kv,
        rateWindows: coreServices.rateWindows,
        core: coreServices.config,
        realtime: optional(coreServices.realtime),
        ...(supportRefs ? { supportKnowledge: optional(supportRefs.supportKnowledgeRef) } : {}),
      },
      async init({ deps, config, logger, expose }) {
        const sandbox =
          !wiring.api && sandboxWanted(config, deps.core) ? await startInstagramSandbox(config) : undefined;
        const support = (deps as { supportKnowledge?: SupportKnowledge }).supportKnowledge;
        const services = createInstagramServices(
          { ...deps, supportKnowledge: support ? fromSupport(support) : undefined },
          config,
          logger,
          wiring,
        );
        const hub = new InboxHub({
          services: () => services,
          tickets: deps.kv,
          realtime: deps.realtime,
          crypto: deps.crypto,
          logger,
        });
        const all: InstagramPluginServices = { ...services, hub, sandbox };
        expose(instagramServicesRef, all);
        return all;
      },
    },
    jobs,
    userData: {
      describe: 'instagram-user-data',
      // Instagram people are not Telegram users: their data is erased by IGSID from the panel
      // (DELETE /admin/api/instagram/users/:igsid). A Telegram user has nothing stored here.
      async erase() {},
    },
    admin({ router, services, resolve }) {
      setupInstagramAdminRoutes(router, () => services);
      // A GET, so viewers (read-only) get one too; answers carry Cache-Control: no-store.
      router.get('/inbox/ticket', async (ctx) => {
        const admin = ctx.state.admin as { name?: string; role?: string } | undefined;
        ctx.body = await services.hub.issueTicket({
          name: admin?.name ?? 'admin',
          role: admin?.role === 'admin' ? 'admin' : 'viewer',
        });
      });
      setupAgentAdminRoutes(
        router,
        () => services,
        () => {
          const core = resolve(Tokens.CoreConfig);
          return { model: core.LLM_MODEL, fastModel: core.LLM_MODEL_FAST };
        },
      );
    },
    http({ router, onUpgrade, config, services, logger, resolve }) {
      if (!onUpgrade)
        logger.error('this core version cannot accept WebSocket upgrades: the live inbox will not connect');
      onUpgrade?.('/inbox', services.hub.handleUpgrade);
      const sandbox = services.sandbox;
      if (sandbox) {
        setupPlaygroundRoutes(router, {
          services: () => services,
          sandbox,
          selfUrl: () => resolve(Tokens.PublicUrl).base() ?? '',
        });
      }
      setupWebhookRoutes(router, () => services.inbox, {
        appSecret: () => config.appSecret,
        verifyToken: () => config.verifyToken,
        maxBytes: () => config.maxWebhookBytes,
      });
    },
    async start({ services, logger, resolve }) {
      await services.hub.start();
      if (services.sandbox) {
        logger.info(
          { playground: `${resolve(Tokens.PublicUrl).base() ?? ''}/p/instagram/playground` },
          'Instagram sandbox: a local Graph API stand-in; DM the agent from the playground',
        );
      }
      const n = await services.inbox.requeuePending(0);
      if (n) logger.info({ deliveries: n }, 're-queued webhook deliveries stored before the last stop');
      if (!services.config.appSecret)
        logger.warn('INSTAGRAM_APP_SECRET is not set: webhook deliveries are refused');
    },
  });
}

export { instagramPlugin };
