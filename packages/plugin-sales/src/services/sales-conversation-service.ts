import {
  LlmBudgetExceededError,
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from '@botloom/core';
import type { Logger } from 'pino';
import { managerChats, type SalesConfig } from '../config.js';
import { followUpAt } from '../script/follow-up.js';
import type { Conversation, ConversationStore } from './conversation-store.js';
import type { EducationGroupPort } from './education-port.js';
import {
  ConversationNotFoundError,
  ConversationStateError,
  SalesInputError,
  ScriptNotPublishedError,
} from './errors.js';
import type {
  ClientMessenger,
  Clock,
  FollowUpJobData,
  FollowUpScheduler,
  ManagerAlertJobData,
  ManagerAlertReason,
  ManagerAlertScheduler,
  SalesTranslator,
} from './ports.js';
import type { PublishedScriptCache } from './published-script-cache.js';
import type { SalesPipeline, StepResult } from './sales-pipeline.js';
import type { PublishedScript, ScriptService } from './script-service.js';

export interface ConversationDeps {
  store: ConversationStore;
  scripts: ScriptService;
  published: PublishedScriptCache;
  pipeline: SalesPipeline;
  translator: SalesTranslator;
  /** Read on each message: runtime settings (the threshold) apply at once. */
  config: SalesConfig;
  clock: Clock;
  followUps: FollowUpScheduler | null;
  managerAlerts: ManagerAlertScheduler | null;
  messenger: () => ClientMessenger | null;
  education: () => EducationGroupPort | undefined;
  logger: Logger;
}

export interface ClientTurn {
  userId: number;
  chatId: number;
  locale: string;
  text: string;
  /** Telegram's id of the message: a retried update with the same id is stored and answered once. */
  messageId?: number;
}

/** What the bot should do with a client's message; `replies` are sent in order. */
export interface TurnOutcome {
  status:
    | 'no_conversation'
    | 'paused'
    | 'replied'
    | 'stopped'
    | 'ended'
    | 'too_long'
    | 'unavailable'
    | 'duplicate';
  replies: string[];
  /** The conversation is over: the chat goes back to the default owner. */
  released: boolean;
  conversationId?: string;
}

const HISTORY_TURNS = 6;

/**
 * The seed's SalesConversationService: starts conversations pinned to the latest published
 * version, runs each client message through the pipeline, stores every message with its
 * analysis, strategy, score, stage and version, records each stage transition with its reason,
 * hands consenting clients to the education port, and keeps human takeover and /stop.
 */
export class SalesConversationService {
  constructor(private readonly deps: ConversationDeps) {}

  /**
   * Starts a conversation (a deep link or the menu) and returns the opening message. A client's
   * earlier open conversation ends first. `slug` picks `<slug>-<locale>` when that script exists.
   */
  async begin(input: { userId: number; chatId: number; locale: string; slug?: string }) {
    const { store, clock } = this.deps;
    const script = await this.resolveScript(input.slug ?? this.deps.config.defaultScript, input.locale);
    const now = clock();
    const open = await store.openFor(input.userId);
    if (open) await store.end(open.id, 'restarted', now);
    const opening = this.deps.pipeline.opening(script.definition);
    const conversation = await store.create({
      scriptRowId: script.scriptRowId,
      scriptVersion: script.version,
      userId: input.userId,
      chatId: input.chatId,
      locale: input.locale,
      stage: script.definition.startStage,
      lineCursor: opening.lineCursor,
      now,
    });
    await store.recordTransition(
      conversation.id,
      null,
      null,
      conversation.stage,
      true,
      'conversation started',
      now,
    );
    await store.addMessage(conversation, 'bot', opening.text, now);
    await this.scheduleFollowUp(conversation.id, script, conversation.stage, now);
    return { conversation, text: opening.text };
  }

  /** Whether the user has an open conversation (the bot adapter asks before claiming free text). */
  async openFor(userId: number): Promise<Conversation | undefined> {
    return this.deps.store.openFor(userId);
  }

  async handleClientMessage(turn: ClientTurn): Promise<TurnOutcome> {
    const { store, clock, translator, config } = this.deps;
    const conversation = await store.openFor(turn.userId);
    if (!conversation) return { status: 'no_conversation', replies: [], released: true };
    if (turn.text.length > config.maxMessageChars) {
      return {
        status: 'too_long',
        replies: [
          translator.t(turn.locale, 'sales-message-too-long', { max: String(config.maxMessageChars) }),
        ],
        released: false,
        conversationId: conversation.id,
      };
    }
    const now = clock();
    // Stored before anything can fail: an outage loses no client message. Once per Telegram
    // message: a retried update continues from the stored row, or, when an earlier attempt got
    // through the analysis, answers with what that attempt stored.
    const stored = await store.addClientMessage(conversation, turn.text, now, turn.messageId);
    const messageId = stored.id;
    if (!stored.fresh && stored.analysisStatus !== 'pending') {
      return {
        status: 'duplicate',
        replies: await store.botRepliesAfter(conversation.id, messageId),
        released: false,
        conversationId: conversation.id,
      };
    }
    await store.update(conversation.id, { last_client_at: now }, now);
    if (conversation.status === 'paused') {
      await store.sql.exec(
        "UPDATE sales_conversation_messages SET analysis_status = 'skipped' WHERE id = $1",
        [messageId],
      );
      return { status: 'paused', replies: [], released: false, conversationId: conversation.id };
    }
    const script = await this.deps.scripts.loadVersion(conversation.scriptRowId, conversation.scriptVersion);
    let step: StepResult;
    try {
      step = await this.deps.pipeline.step(
        {
          script: script.definition,
          stage: conversation.stage,
          stageTurns: conversation.stageTurns,
          lineCursor: conversation.lineCursor,
          answers: await store.answerCounts(conversation.id),
          history: (await store.recentTexts(conversation.id, HISTORY_TURNS + 1)).slice(0, -1),
        },
        turn.text,
        { threshold: config.strategyThreshold, replyMaxTokens: config.replyMaxTokens, userId: turn.userId },
      );
    } catch (error) {
      if (!isLlmOutage(error)) throw error;
      this.deps.logger.warn(
        { err: error, conversationId: conversation.id },
        'sales: analysis failed, the message is kept',
      );
      await store.sql.exec(
        "UPDATE sales_conversation_messages SET analysis_status = 'failed' WHERE id = $1",
        [messageId],
      );
      const key = error instanceof LlmBudgetExceededError ? 'sales-budget-exceeded' : 'sales-unavailable';
      return {
        status: 'unavailable',
        replies: [translator.t(turn.locale, key)],
        released: false,
        conversationId: conversation.id,
      };
    }
    return this.apply(conversation, script, messageId, turn, step, now);
  }

  private async apply(
    conversation: Conversation,
    script: PublishedScript,
    messageId: number,
    turn: ClientTurn,
    step: StepResult,
    now: Date,
  ): Promise<TurnOutcome> {
    const { store, translator } = this.deps;
    await store.recordAnalysis(messageId, step.analysis, step.strategy);
    if (step.answered) {
      await store.recordAnswer(
        conversation,
        step.answered.questionnaireId,
        step.answered.questionId,
        turn.text,
        now,
      );
    }
    if (step.decision.refused) {
      await store.recordTransition(
        conversation.id,
        messageId,
        conversation.stage,
        step.decision.refused.to,
        false,
        step.decision.refused.reason,
        now,
      );
    }
    if (step.action === 'stop') {
      await store.recordTransition(
        conversation.id,
        messageId,
        conversation.stage,
        conversation.stage,
        false,
        step.decision.reason,
        now,
      );
      await store.end(conversation.id, 'client_stop', now);
      const text = translator.t(turn.locale, 'sales-stopped');
      await store.addMessage({ ...conversation }, 'system', text, now);
      return { status: 'stopped', replies: [text], released: true, conversationId: conversation.id };
    }
    const fields: Record<string, unknown> = {
      stage_turns: step.state.stageTurns,
      line_cursor: step.state.lineCursor,
      last_strategy: step.strategy,
    };
    if (step.decision.moved) {
      await store.recordTransition(
        conversation.id,
        messageId,
        step.decision.from,
        step.decision.to,
        true,
        step.decision.reason,
        now,
      );
      await store.enterStage(
        conversation.id,
        conversation.userId,
        conversation.scriptRowId,
        step.decision.to,
        now,
      );
      Object.assign(fields, { stage: step.decision.to, stage_entered_at: now });
    }
    await store.update(conversation.id, fields, now);
    const at = { ...conversation, stage: step.state.stage };
    const replies: string[] = [];
    if (step.reply) {
      replies.push(step.reply.text);
      await store.addMessage(at, 'bot', step.reply.text, now, {
        tokens: step.reply.tokens,
        latencyMs: step.reply.latencyMs,
        strategy: step.strategy,
      });
    }
    if (step.action === 'education') {
      const offer = await this.offerEducation(at, script, turn.locale, now);
      if (offer.text) replies.push(offer.text);
      // After request_chat the client's `chat_shared` answer must still reach this plugin.
      const released = offer.status !== 'request_chat';
      return { status: 'ended', replies, released, conversationId: conversation.id };
    }
    if (step.action === 'end') {
      await store.end(conversation.id, 'final_stage', now);
      return { status: 'ended', replies, released: true, conversationId: conversation.id };
    }
    await this.scheduleFollowUp(conversation.id, script, step.state.stage, now);
    return { status: 'replied', replies, released: false, conversationId: conversation.id };
  }

  /** Hands the client to the education port; without one, a manager follows up. */
  private async offerEducation(
    conversation: Conversation,
    script: PublishedScript,
    locale: string,
    now: Date,
  ) {
    const { store, translator } = this.deps;
    const port = this.deps.education();
    let status = 'manager';
    let text: string | null = translator.t(locale, 'sales-education-manager');
    if (port) {
      try {
        const result = await port.offer({
          conversationId: conversation.id,
          userId: conversation.userId,
          chatId: conversation.chatId,
          scriptId: script.slug,
          scriptVersion: script.version,
          locale,
        });
        status = result.status;
        if (result.status === 'invited')
          text = translator.t(locale, 'sales-education-invited', { link: result.inviteLink });
        else if (result.status === 'request_chat') text = null;
        else text = translator.t(locale, 'sales-education-no-group');
      } catch (error) {
        this.deps.logger.error(
          { err: error, conversationId: conversation.id },
          'sales: the education offer failed',
        );
        status = 'failed';
        text = translator.t(locale, 'sales-education-manager');
      }
    }
    await store.update(conversation.id, { education_status: status }, now);
    if (text) await store.addMessage(conversation, 'system', text, now);
    await store.end(conversation.id, 'education', now);
    const reason: ManagerAlertReason | undefined =
      status === 'manager'
        ? 'off'
        : status === 'no_free_group'
          ? 'no_group'
          : status === 'failed'
            ? 'failed'
            : undefined;
    if (reason) await this.alertManagers(conversation.id, reason);
    return { status, text };
  }

  /** A consenting client a person must take care of: one durable alert per manager chat. */
  private async alertManagers(conversationId: string, reason: ManagerAlertReason) {
    const chats = managerChats(this.deps.config);
    if (chats.length === 0 || !this.deps.managerAlerts) {
      this.deps.logger.warn(
        { conversationId, reason },
        'sales: a consenting client needs a manager, and no managerChatIds are set',
      );
      return;
    }
    for (const chatId of chats) await this.deps.managerAlerts.schedule({ conversationId, reason, chatId });
  }

  /**
   * The alert job: tells one manager chat who the client is and why they need a person, in the
   * managers' language. Returns whether it sent.
   */
  async sendManagerAlert(data: ManagerAlertJobData): Promise<boolean> {
    const conversation = await this.deps.store.get(data.conversationId);
    const messenger = this.deps.messenger();
    if (!conversation || !messenger) return false;
    const locale = this.deps.config.managerLocale;
    const last = (await this.deps.store.recentTexts(conversation.id, 10))
      .filter((m) => m.author === 'client')
      .at(-1);
    const why = {
      off: 'sales-manager-why-off',
      no_group: 'sales-manager-why-no-group',
      failed: 'sales-manager-why-failed',
    };
    const text = this.deps.translator.t(locale, 'sales-manager-alert', {
      why: this.deps.translator.t(locale, why[data.reason]),
      userId: String(conversation.userId),
      script: conversation.scriptSlug,
      version: String(conversation.scriptVersion),
      locale: conversation.locale,
      last: last ? last.text.slice(0, 500) : '—',
      conversationId: conversation.id,
    });
    await messenger.send(data.chatId, text);
    return true;
  }

  private async scheduleFollowUp(
    conversationId: string,
    script: PublishedScript,
    stageId: string,
    now: Date,
  ) {
    const followUp = followUpAt(script.definition, stageId);
    if (!followUp || !this.deps.followUps) return;
    await this.deps.followUps.schedule(
      { conversationId, stage: stageId, clientAt: now.toISOString() },
      Math.round(followUp.afterHours * 3600),
    );
  }

  /**
   * The silence follow-up job: sends the stage's follow-up once, only when the client has been
   * silent for the whole delay, the conversation is still active at that stage and not taken
   * over. Returns whether it sent.
   */
  async runFollowUp(data: FollowUpJobData): Promise<boolean> {
    const { store, clock } = this.deps;
    const conversation = await store.get(data.conversationId);
    if (conversation?.status !== 'active' || conversation.stage !== data.stage) return false;
    if (conversation.followUpStage === data.stage) return false;
    // Silence is counted from the client's last message, or from the start before their first.
    const silentSince = conversation.lastClientAt ?? conversation.startedAt;
    if (silentSince.toISOString() !== data.clientAt) return false;
    const script = await this.deps.scripts.loadVersion(conversation.scriptRowId, conversation.scriptVersion);
    const followUp = followUpAt(script.definition, data.stage);
    if (!followUp) return false;
    const now = clock();
    if (now.getTime() - new Date(data.clientAt).getTime() < followUp.afterHours * 3600_000) return false;
    const messenger = this.deps.messenger();
    if (!messenger) return false;
    await store.update(conversation.id, { follow_up_stage: data.stage }, now);
    await store.addMessage(conversation, 'bot', followUp.text, now);
    await messenger.send(conversation.chatId, followUp.text);
    return true;
  }

  /** /stop: ends the open conversation; nothing is sent to the client unprompted afterwards. */
  async stop(userId: number): Promise<boolean> {
    const open = await this.deps.store.openFor(userId);
    if (!open) return false;
    const now = this.deps.clock();
    await this.deps.store.recordTransition(
      open.id,
      null,
      open.stage,
      open.stage,
      false,
      'the client sent /stop',
      now,
    );
    await this.deps.store.end(open.id, 'client_stop', now);
    return true;
  }

  async takeover(id: string, operator: string): Promise<Conversation> {
    const conversation = await this.require(id);
    if (conversation.status === 'ended')
      throw new ConversationStateError('CONVERSATION_ENDED', 'The conversation has ended');
    await this.deps.store.update(id, { status: 'paused', taken_over_by: operator }, this.deps.clock());
    return (await this.deps.store.get(id))!;
  }

  async resume(id: string): Promise<Conversation> {
    const conversation = await this.require(id);
    if (conversation.status !== 'paused')
      throw new ConversationStateError('CONVERSATION_NOT_PAUSED', 'The conversation is not taken over');
    await this.deps.store.update(id, { status: 'active', taken_over_by: null }, this.deps.clock());
    return (await this.deps.store.get(id))!;
  }

  /** An operator writes to the client as the operator, only while the conversation is taken over. */
  async operatorMessage(id: string, operator: string, text: string) {
    const conversation = await this.require(id);
    if (conversation.status !== 'paused')
      throw new ConversationStateError(
        'CONVERSATION_NOT_TAKEN_OVER',
        'Take the conversation over before writing to the client',
      );
    if (!text.trim()) throw new SalesInputError('EMPTY_MESSAGE', 'The message is empty');
    const messenger = this.deps.messenger();
    if (!messenger) throw new ConversationStateError('NO_BOT', 'This app runs without a bot');
    const body = this.deps.translator.t(conversation.locale, 'sales-operator-message', { text });
    await messenger.send(conversation.chatId, body);
    const messageId = await this.deps.store.addMessage(conversation, 'operator', text, this.deps.clock(), {
      operator,
    });
    return { id: messageId };
  }

  async detail(id: string) {
    const conversation = await this.require(id);
    return {
      conversation,
      messages: await this.deps.store.messages(id),
      transitions: await this.deps.store.transitions(id),
    };
  }

  private async require(id: string): Promise<Conversation> {
    const conversation = /^[0-9a-f-]{36}$/i.test(id) ? await this.deps.store.get(id) : undefined;
    if (!conversation) throw new ConversationNotFoundError(id);
    return conversation;
  }

  private async resolveScript(slug: string, locale: string): Promise<PublishedScript> {
    const localized = await this.deps.published.get(`${slug}-${locale}`);
    const script = localized ?? (await this.deps.published.get(slug));
    if (!script) throw new ScriptNotPublishedError(slug);
    return script;
  }
}

function isLlmOutage(error: unknown): boolean {
  return (
    error instanceof LlmUnavailableError ||
    error instanceof LlmRateLimitedError ||
    error instanceof LlmBudgetExceededError ||
    error instanceof LlmRequestError ||
    error instanceof LlmStructuredOutputError
  );
}
