import { LlmBudgetExceededError } from '@botloom/core';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Conversation, ConversationStore, StoredMessage } from './conversation-store.js';
import type { MessageAnalysis } from './message-analysis.js';
import type { Outbox, ReplyRequest } from './outbox.js';
import type { DraftReply, ReplyWriter } from './reply-writer.js';
import { matches, type Rule, type RuleAction, type RuleStore } from './rules.js';
import type { InstagramEvent } from './webhook-events.js';

export interface AgentSettings {
  defaultAction: 'ai_reply' | 'no_reply' | 'handoff';
  timezone: string;
  aiMinConfidence: number;
  summaryEvery: number;
}

export interface Decision {
  action: RuleAction['type'] | 'paused' | 'standby';
  ruleId: string | null;
  ruleName: string | null;
  reason: string;
  tags: string[];
}

/** Things the agent tells the outside (the live inbox, experiments, conversions). */
export interface AgentHooks {
  conversationChanged(conversationId: string): void;
  /** A template or prompt variant for this user when an experiment runs; marks exposure. */
  variantFor?(
    conversation: Conversation,
    kind: 'template' | 'prompt',
  ): Promise<{ experimentId: string; variant: string; text: string } | undefined>;
  /** After each analysed user message: conversions and experiment metrics. */
  afterUserMessage?(
    conversation: Conversation,
    message: StoredMessage,
    analysis: { intent: string; sentiment: string },
  ): Promise<void>;
  summaryDue(conversationId: string): Promise<void>;
}

/**
 * What happens to each webhook event: the message is stored, analysed and answered (or not)
 * by the rules; echoes, reactions, reads and deletions are recorded; nothing is answered in
 * standby or while a person has the thread. Every step is idempotent, so a reprocessed event
 * (after a crash) neither stores nor sends anything twice.
 */
export class InstagramAgent {
  constructor(
    private readonly deps: {
      db: Sequelize;
      store: ConversationStore;
      rules: RuleStore;
      analysis: MessageAnalysis;
      writer: ReplyWriter;
      outbox: Outbox;
      settings: () => AgentSettings;
      now: () => Date;
      logger: Logger;
      hooks: AgentHooks;
    },
  ) {}

  async handle(event: InstagramEvent): Promise<void> {
    switch (event.kind) {
      case 'message':
        return this.onMessage(event);
      case 'echo': {
        const conversation = await this.deps.store.thread(event.igsid);
        const { created } = await this.deps.store.addMessage({
          conversationId: conversation.id,
          mid: event.mid,
          direction: 'out',
          senderType: 'echo',
          text: event.text ?? null,
          metadata: { attachments: event.attachments, via: 'instagram-app' },
          createdAt: event.timestamp,
        });
        if (created) this.deps.hooks.conversationChanged(conversation.id);
        return;
      }
      case 'deleted':
        await this.deps.store.markDeleted(event.mid);
        return;
      case 'reaction':
        await this.deps.store.mergeMetadata(event.mid, {
          reaction:
            event.action === 'unreact'
              ? null
              : { reaction: event.reaction, emoji: event.emoji, by: event.igsid },
        });
        return;
      case 'seen':
        if (event.mid)
          await this.deps.store.mergeMetadata(event.mid, { seenAt: event.timestamp.toISOString() });
        return;
      case 'postback': {
        const conversation = await this.deps.store.thread(event.igsid);
        await this.deps.store.addMessage({
          conversationId: conversation.id,
          mid: event.mid ? `postback:${event.mid}` : null,
          direction: 'in',
          senderType: 'user',
          text: event.title ?? null,
          metadata: { postback: { title: event.title, payload: event.payload } },
          createdAt: event.timestamp,
        });
        await this.deps.store.touchUserMessage(conversation.id, event.timestamp, event.standby);
        this.deps.hooks.conversationChanged(conversation.id);
        return;
      }
      case 'unknown':
        return;
    }
  }

  private async onMessage(event: Extract<InstagramEvent, { kind: 'message' }>) {
    const { store } = this.deps;
    const conversation0 = await store.thread(event.igsid);
    const firstMessage = conversation0.messageCount === 0;
    const { message } = await store.addMessage({
      conversationId: conversation0.id,
      mid: event.mid,
      direction: 'in',
      senderType: 'user',
      text: event.text ?? null,
      metadata: {
        ...(event.attachments.length ? { attachments: event.attachments } : {}),
        ...(event.storyReply ? { storyReply: event.storyReply } : {}),
        ...(event.replyToMid ? { replyToMid: event.replyToMid } : {}),
        ...(event.quickReply ? { quickReply: event.quickReply } : {}),
        ...(event.standby ? { standby: true } : {}),
      },
      createdAt: event.timestamp,
    });
    // The window is measured from when the user wrote (Meta's timestamp), never later than now.
    const wroteAt = new Date(Math.min(event.timestamp.getTime(), this.deps.now().getTime()));
    await store.touchUserMessage(conversation0.id, wroteAt, event.standby);
    this.deps.hooks.conversationChanged(conversation0.id);

    const analysis =
      message.intent && message.sentiment
        ? { intent: message.intent, sentiment: message.sentiment }
        : await this.deps.analysis.analyze(describe(event), event.igsid).then(async (a) => {
            await store.setAnalysis(message.id, a);
            return a;
          });
    const conversation = (await store.get(conversation0.id))!;
    await this.deps.hooks.afterUserMessage?.(conversation, message, analysis);
    if (conversation.messageCount % this.deps.settings().summaryEvery === 0)
      await this.deps.hooks.summaryDue(conversation.id);

    const existing = await this.decisionFor(message.id);
    const decision =
      existing ??
      (await this.decide(conversation, message, {
        text: describe(event),
        intent: analysis.intent,
        sentiment: analysis.sentiment,
        firstMessage,
        standby: event.standby,
      }));
    if (!existing) await this.record(conversation, message, decision);
    await this.act(conversation, message, decision);
    this.deps.hooks.conversationChanged(conversation.id);
  }

  private async decide(
    conversation: Conversation,
    message: StoredMessage,
    facts: { text: string; intent: string; sentiment: string; firstMessage: boolean; standby: boolean },
  ): Promise<Decision> {
    if (facts.standby)
      return {
        action: 'standby',
        ruleId: null,
        ruleName: null,
        reason: 'another app owns the thread (standby)',
        tags: [],
      };
    if (conversation.status === 'handoff') {
      return {
        action: 'paused',
        ruleId: null,
        ruleName: null,
        reason: 'a person has the thread: auto-replies are paused',
        tags: [],
      };
    }
    const settings = this.deps.settings();
    const { segment, cluster } = await this.segmentOf(conversation.userId);
    const tags: string[] = [];
    for (const rule of (await this.deps.rules.list()).filter((r) => r.enabled)) {
      const ruleFacts = { ...facts, segment, cluster, at: message.createdAt, timezone: settings.timezone };
      if (!matches(rule.conditions, ruleFacts)) continue;
      if (await this.coolingDown(conversation.id, rule)) continue;
      if (rule.action.type === 'tag') {
        tags.push(...rule.action.tags);
        continue;
      }
      return {
        action: rule.action.type,
        ruleId: rule.id,
        ruleName: rule.name,
        reason: `rule "${rule.name}" matched`,
        tags,
      };
    }
    return {
      action: settings.defaultAction,
      ruleId: null,
      ruleName: null,
      reason: 'no rule matched: default action',
      tags,
    };
  }

  /** Replies from the processing job itself: sent now, not by a second job (see `Outbox.enqueue`). */
  private reply(request: ReplyRequest) {
    return this.deps.outbox.enqueue(request, { deliverNow: true });
  }

  private async act(conversation: Conversation, message: StoredMessage, decision: Decision) {
    if (decision.tags.length) await this.deps.store.addTags(conversation.id, decision.tags);
    const rule = decision.ruleId
      ? await this.deps.rules.get(decision.ruleId).catch(() => undefined)
      : undefined;
    const replyKey = `reply:${message.mid ?? message.id}`;
    switch (decision.action) {
      case 'template': {
        const base = rule?.action.type === 'template' ? rule.action.text : '';
        const variant = await this.deps.hooks.variantFor?.(conversation, 'template');
        await this.reply({
          conversation,
          author: 'bot',
          text: variant?.text ?? base,
          replyKey,
          source: 'rule',
          ruleId: decision.ruleId ?? undefined,
          experimentId: variant?.experimentId,
          variant: variant?.variant,
        });
        return;
      }
      case 'ai_reply': {
        const variant = await this.deps.hooks.variantFor?.(conversation, 'prompt');
        const instructions = [
          rule?.action.type === 'ai_reply' ? rule.action.instructions : undefined,
          variant?.text,
        ]
          .filter(Boolean)
          .join('\n');
        const history = await this.deps.store.history(conversation.id, 12);
        let draft: DraftReply;
        try {
          draft = await this.deps.writer.draft(conversation, history, instructions || undefined);
        } catch (error) {
          if (!(error instanceof LlmBudgetExceededError)) throw error;
          await this.handOffOverBudget(conversation, message, error);
          return;
        }
        if (
          this.deps.settings().aiMinConfidence > 0 &&
          draft.confidence < this.deps.settings().aiMinConfidence
        ) {
          await this.deps.store.setStatus(conversation.id, 'handoff', 'low_confidence');
          return;
        }
        await this.reply({
          conversation,
          author: 'bot',
          text: draft.text,
          replyKey,
          source: decision.ruleId ? 'rule' : 'auto',
          ruleId: decision.ruleId ?? undefined,
          experimentId: variant?.experimentId,
          variant: variant?.variant,
        });
        return;
      }
      case 'handoff': {
        await this.deps.store.setStatus(conversation.id, 'handoff', 'rule');
        const text = rule?.action.type === 'handoff' ? rule.action.message : undefined;
        if (text) {
          await this.reply({
            conversation,
            author: 'bot',
            text,
            replyKey,
            source: 'rule',
            ruleId: decision.ruleId ?? undefined,
          });
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * The LLM budget (the user's or the day's) refused the AI reply. That is not a fault a retry
   * mends, so the message is handled without one: the thread goes to a person, who finds it in
   * the inbox with the reason `budget`, and the decision says why nothing was sent. Logged at
   * warn, with ids only.
   */
  private async handOffOverBudget(
    conversation: Conversation,
    message: StoredMessage,
    refusal: LlmBudgetExceededError,
  ) {
    this.deps.logger.warn(
      {
        conversationId: conversation.id,
        messageId: message.id,
        scope: refusal.scope,
        used: refusal.used,
        limit: refusal.limit,
        resetsAt: refusal.resetsAt.toISOString(),
      },
      'AI reply refused by the LLM budget: the thread is handed to a person',
    );
    await this.deps.store.setStatus(conversation.id, 'handoff', 'budget');
    const note = `; AI reply refused by the LLM budget (${refusal.scope}): handed to a person`;
    await this.deps.db.query(
      `UPDATE instagram_decisions SET reason = reason || $2 WHERE message_id = $1 AND strpos(reason, $2) = 0`,
      { bind: [message.id, note] },
    );
  }

  private async record(conversation: Conversation, message: StoredMessage, decision: Decision) {
    await this.deps.db.query(
      `INSERT INTO instagram_decisions (conversation_id, message_id, rule_id, rule_name, action, reason)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING`,
      {
        bind: [
          conversation.id,
          message.id,
          decision.ruleId,
          decision.ruleName,
          decision.action,
          decision.reason,
        ],
      },
    );
    if (decision.tags.length) {
      await this.deps.db.query(`UPDATE instagram_decisions SET reason = reason || $2 WHERE message_id = $1`, {
        bind: [message.id, `; tagged ${decision.tags.join(', ')}`],
      });
    }
  }

  private async decisionFor(messageId: string): Promise<Decision | undefined> {
    const rows = await this.deps.db.query<Record<string, unknown>>(
      `SELECT rule_id, rule_name, action, reason FROM instagram_decisions WHERE message_id = $1`,
      { bind: [messageId], type: QueryTypes.SELECT },
    );
    const r = rows[0];
    return r
      ? {
          action: r.action as Decision['action'],
          ruleId: (r.rule_id as string | null) ?? null,
          ruleName: (r.rule_name as string | null) ?? null,
          reason: String(r.reason),
          tags: [],
        }
      : undefined;
  }

  private async coolingDown(conversationId: string, rule: Rule): Promise<boolean> {
    if (rule.cooldownSeconds <= 0) return false;
    const rows = await this.deps.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM instagram_decisions
        WHERE conversation_id = $1 AND rule_id = $2 AND created_at > $3`,
      {
        bind: [conversationId, rule.id, new Date(this.deps.now().getTime() - rule.cooldownSeconds * 1000)],
        type: QueryTypes.SELECT,
      },
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  private async segmentOf(userId: number): Promise<{ segment: string | null; cluster: string | null }> {
    const rows = await this.deps.db.query<{ segment: string | null; cluster: string | null }>(
      `SELECT segment, cluster FROM instagram_users WHERE id = $1`,
      {
        bind: [userId],
        type: QueryTypes.SELECT,
      },
    );
    return { segment: rows[0]?.segment ?? null, cluster: rows[0]?.cluster ?? null };
  }

  /**
   * Refreshes the rolling summary (a job, so a slow model never holds up a reply). False when
   * there was nothing to summarise or the LLM budget refused (the old summary stays; the next
   * refresh is due after `summaryEvery` more messages).
   */
  async refreshSummary(conversationId: string): Promise<boolean> {
    const conversation = await this.deps.store.get(conversationId);
    if (!conversation) return false;
    const history = await this.deps.store.history(conversationId, 30);
    let summary: string;
    try {
      summary = await this.deps.writer.summarise(conversation, history);
    } catch (error) {
      if (!(error instanceof LlmBudgetExceededError)) throw error;
      this.deps.logger.warn(
        { conversationId, scope: error.scope, resetsAt: error.resetsAt.toISOString() },
        'summary refresh refused by the LLM budget: the old summary stays',
      );
      return false;
    }
    const sentiments = history.map((m) => m.sentiment).filter((s): s is string => Boolean(s));
    await this.deps.store.setSummary(conversationId, summary, sentiments.at(-1) ?? null);
    return true;
  }
}

/** The text rules and analysis see: the message, or what was shared. */
function describe(event: Extract<InstagramEvent, { kind: 'message' }>): string {
  if (event.text) return event.text;
  return event.attachments.map((a) => `[${a.type}${a.title ? `: ${a.title}` : ''}]`).join(' ');
}
