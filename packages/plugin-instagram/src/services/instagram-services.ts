import type { Crypto, Jobs, Llm, LlmUsageService, RateWindows, VectorStore } from '@botloom/core';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { InstagramConfig } from '../config.js';
import { AgentPlans } from './agent-plans.js';
import { InstagramAnalytics } from './analytics.js';
import { BehaviourClusters } from './behaviour-clusters.js';
import { ConversationStore } from './conversation-store.js';
import { CredentialStore } from './credentials.js';
import { ExperimentService } from './experiments.js';
import { FollowUps } from './follow-ups.js';
import { GraphClient, type InstagramApi } from './graph-client.js';
import { InstagramAgent } from './instagram-agent.js';
import { CombinedKnowledge, type KnowledgeSource, VectorKnowledge } from './knowledge.js';
import { MessageAnalysis } from './message-analysis.js';
import { Outbox } from './outbox.js';
import { ReplyWriter } from './reply-writer.js';
import { RuleStore } from './rules.js';
import { SendPacer } from './send-pacer.js';
import { UserDirectory } from './user-directory.js';
import { WebhookInbox } from './webhook-inbox.js';

export const SUMMARY_JOB = 'refresh-summary';

export interface InstagramServiceDeps {
  database: Sequelize;
  crypto: Crypto;
  llm: Llm;
  vectors: VectorStore;
  jobs: Jobs;
  /** Core's shared sliding windows: Send API pacing holds across instances. */
  rateWindows: RateWindows;
  llmUsage?: LlmUsageService;
  /** Support's knowledge base when that plugin is in the app. */
  supportKnowledge?: KnowledgeSource;
}

/** Things tests and the sandbox may replace: the clock and the Graph API client. */
export interface InstagramWiring {
  now?: () => Date;
  api?: InstagramApi;
}

export type ConversationListener = (conversationId: string) => void;

/** Every service of the Instagram plugin, built once in its services stage. */
export function createInstagramServices(
  deps: InstagramServiceDeps,
  config: InstagramConfig,
  logger: Logger,
  wiring: InstagramWiring = {},
) {
  const now = wiring.now ?? (() => new Date());
  const store = new ConversationStore(deps.database, deps.crypto);
  const credentials = new CredentialStore(deps.database, deps.crypto, () => config.accessToken);
  const graph: InstagramApi =
    wiring.api ??
    new GraphClient({
      apiRoot: config.apiRoot,
      apiVersion: config.apiVersion,
      accountId: () => config.accountId,
      accessToken: () => credentials.accessToken(),
    });
  const pacer = new SendPacer(
    () => ({ perSecond: config.sendsPerSecond, perThreadIntervalMs: config.perThreadIntervalMs }),
    deps.rateWindows,
  );
  const outbox = new Outbox({
    db: deps.database,
    crypto: deps.crypto,
    store,
    api: () => graph,
    jobs: () => deps.jobs,
    pacer,
    settings: () => config,
    now,
    logger: logger.child({ component: 'outbox' }),
  });
  const ownKnowledge = new VectorKnowledge(deps.vectors);
  const knowledge = new CombinedKnowledge(
    deps.supportKnowledge ? [ownKnowledge, deps.supportKnowledge] : [ownKnowledge],
  );
  const analysis = new MessageAnalysis(deps.llm);
  const writer = new ReplyWriter(deps.llm, knowledge, () => config);
  const rules = new RuleStore(deps.database);
  const experiments = new ExperimentService(deps.database, now);
  const conversion = config.conversionPattern ? new RegExp(config.conversionPattern, 'iu') : undefined;
  const listeners = new Set<ConversationListener>();
  const conversationChanged = (id: string) => {
    for (const listener of listeners) listener(id);
  };
  outbox.onChange((entry) => conversationChanged(entry.conversationId));
  const agent = new InstagramAgent({
    db: deps.database,
    store,
    rules,
    analysis,
    writer,
    outbox,
    settings: () => config,
    now,
    logger: logger.child({ component: 'agent' }),
    hooks: {
      conversationChanged,
      variantFor: (conversation, kind) => experiments.variantFor(conversation.igsid, kind),
      afterUserMessage: async (conversation, message, analysis) => {
        const converted =
          config.conversionIntents.includes(analysis.intent) ||
          Boolean(message.text && conversion?.test(message.text));
        if (converted) {
          await deps.database.query(
            `INSERT INTO instagram_conversions (conversation_id, igsid, kind) VALUES ($1, $2, $3)`,
            {
              bind: [
                conversation.id,
                conversation.igsid,
                config.conversionIntents.includes(analysis.intent) ? `intent:${analysis.intent}` : 'pattern',
              ],
            },
          );
        }
        await experiments.recordOutcome(conversation.igsid, {
          replied: true,
          converted,
          positive: analysis.sentiment === 'positive',
        });
      },
      summaryDue: async (conversationId) => {
        await deps.jobs.send(SUMMARY_JOB, { conversationId }, { singletonKey: conversationId });
      },
    },
  });
  const plans = new AgentPlans({
    db: deps.database,
    llm: deps.llm,
    jobs: () => deps.jobs,
    store,
    outbox,
    agent,
    now,
    windowHours: () => config.autoReplyWindowHours,
    logger: logger.child({ component: 'plans' }),
  });
  const followUps = new FollowUps({ jobs: () => deps.jobs, crypto: deps.crypto, store, outbox, now });
  const users = new UserDirectory(deps.database, () => graph, now);
  const clusters = new BehaviourClusters(users);
  const analytics = new InstagramAnalytics(deps.database, deps.llmUsage);
  const inbox = new WebhookInbox({
    db: deps.database,
    crypto: deps.crypto,
    jobs: () => deps.jobs,
    agent,
    logger,
    lanes: () => config.threadConcurrency,
  });
  return {
    config,
    now,
    store,
    credentials,
    graph,
    outbox,
    knowledge,
    ownKnowledge,
    analysis,
    writer,
    rules,
    agent,
    inbox,
    experiments,
    followUps,
    plans,
    users,
    clusters,
    analytics,
    llm: deps.llm,
    /** Subscribes to "this conversation changed" (the live inbox). */
    onConversationChanged(listener: ConversationListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type InstagramServices = ReturnType<typeof createInstagramServices>;
