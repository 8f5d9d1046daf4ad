import type { Crypto, EventBus, Jobs, Llm, Signals, Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { CommentatorConfig } from '../config.js';
import type { UserAccountGateway } from '../gateway/user-account-gateway.js';
import { AccountManagementService } from './account-management-service.js';
import { AccountSecurityService } from './account-security-service.js';
import { AccountSessionManager } from './account-session-manager.js';
import { ChannelMonitorService } from './channel-monitor-service.js';
import { CommentatorChatScope } from './chat-scope.js';
import { CommentGenerationService } from './comment-generation-service.js';
import { CommentSchedulerService } from './comment-scheduler-service.js';
import { CommentTransport } from './comment-transport.js';
import { DirectMessagePoller } from './direct-message-poller.js';
import { EngagementService } from './engagement-service.js';
import { InboxService } from './inbox-service.js';
import { PersonalityService } from './personality-service.js';
import type { BotTelegramPort, Clock } from './ports.js';
import { PostPipeline } from './post-pipeline.js';
import { ReviewService } from './review-service.js';
import { Sql } from './sql.js';

export const PROCESS_POST_JOB = 'process-post';

import { StatsService } from './stats-service.js';

export interface CommentatorServiceDeps {
  sequelize: Sequelize;
  crypto: Crypto;
  llm: Llm;
  events: EventBus;
  jobs: Jobs;
  i18n: Translator;
  logger: Logger;
  config: CommentatorConfig;
  bot: BotTelegramPort;
  clock: Clock;
  /** The user-account adapter (gramjs, the sandbox, or a test double); null: bot route only. */
  gateway: () => UserAccountGateway | null;
  /** Overrides `config.reviewChatId` when the app learns the chat only after start. */
  reviewChatId?: () => number | undefined;
  /** Cross-instance signals: the chat scope follows other instances' changes (else it reloads each minute). */
  signals?: Signals;
}

/**
 * The commentator's domain services, built once in the `services` stage. Hooks get them as
 * `ctx.services`; other plugins through `commentatorServicesRef`.
 */
export function createCommentatorServices(deps: CommentatorServiceDeps) {
  const { config, clock, logger } = deps;
  const reviewChatId = deps.reviewChatId;
  const cfg = reviewChatId
    ? (): CommentatorConfig => ({ ...config, reviewChatId: reviewChatId() ?? config.reviewChatId })
    : () => config;
  const sql = new Sql(deps.sequelize);
  const security = new AccountSecurityService(sql, clock, logger, deps.events);
  const sessions = new AccountSessionManager(sql, deps.crypto, deps.gateway, security, logger);
  const accounts = new AccountManagementService(
    sql,
    deps.crypto,
    sessions,
    security,
    clock,
    config.loginCodeTtlSeconds,
  );
  const scope = new CommentatorChatScope(sql, deps.signals, logger);
  const channels = new ChannelMonitorService(
    sql,
    deps.bot,
    accounts,
    sessions,
    () => config.brandName,
    scope,
  );
  const personality = new PersonalityService();
  const generation = new CommentGenerationService(deps.llm, personality, () => config.topics, logger);
  const transport = new CommentTransport(deps.bot, sessions);
  const inbox = new InboxService(sql, deps.crypto, deps.events, clock);
  let review: ReviewService | undefined;
  const scheduler = new CommentSchedulerService(
    sql,
    cfg,
    clock,
    transport,
    security,
    personality,
    deps.events,
    logger,
    (accountId, reason) => review!.alertPaused(accountId, reason),
    scope,
  );
  scheduler.attachJobs(deps.jobs);
  review = new ReviewService(sql, cfg, deps.bot, scheduler, deps.i18n, logger);
  const reviewChat = review;
  const pipeline = new PostPipeline(
    sql,
    cfg,
    channels,
    accounts,
    generation,
    scheduler,
    (commentId) => reviewChat.postDraft(commentId),
    logger,
  );
  const engagement = new EngagementService(sql, sessions, inbox, clock, () => config.engagementDays, logger);
  const stats = new StatsService(sql);
  const directMessages = new DirectMessagePoller(sql, sessions, inbox, clock, logger);
  /** Stored posts are analysed in a durable job, so a crash after storing loses nothing. */
  const queuePost = async (postId: number) => {
    await deps.jobs.send(PROCESS_POST_JOB, { postId });
  };
  return {
    queuePost,
    scope,
    config,
    clock,
    security,
    sessions,
    accounts,
    channels,
    personality,
    generation,
    scheduler,
    pipeline,
    review: reviewChat,
    inbox,
    directMessages,
    engagement,
    stats,
  };
}

export type CommentatorServices = ReturnType<typeof createCommentatorServices>;
