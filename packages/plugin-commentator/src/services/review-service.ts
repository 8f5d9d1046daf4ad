import type { Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { CommentatorConfig } from '../config.js';
import { AUTO_APPROVER, type CommentSchedulerService, type DraftView } from './comment-scheduler-service.js';
import type { BotTelegramPort, InlineButton } from './ports.js';
import type { Sql } from './sql.js';

/** `2026-12-01 14:05 Europe/Moscow`: reviewers read the card in their own zones, so the zone is named. */
export function formatInZone(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}

export type ReviewAction = 'approve' | 'edit' | 'reject';

const ACTIONS: Record<string, ReviewAction> = { a: 'approve', e: 'edit', r: 'reject' };

/** Callback data of the review buttons: `cm:<a|e|r>:<commentId>`. */
export function reviewCallback(action: ReviewAction, commentId: number): string {
  return `cm:${action[0]}:${commentId}`;
}

export function parseReviewCallback(data: string): { action: ReviewAction; commentId: number } | null {
  const m = /^cm:([aer]):(\d{1,10})$/.exec(data);
  if (!m) return null;
  return { action: ACTIONS[m[1]!]!, commentId: Number(m[2]) };
}

export type PressResult = 'done' | 'not_allowed' | 'already' | 'edit_hint' | 'unknown';

/**
 * The optional Telegram review chat: each draft is posted there with Approve, Edit and
 * Reject buttons; a reviewer edits by replying to the draft message with the new text.
 * Reviewers are the configured ids, or else the chat's administrators.
 */
export class ReviewService {
  constructor(
    private readonly sql: Sql,
    private readonly config: () => CommentatorConfig,
    private readonly bot: BotTelegramPort,
    private readonly scheduler: CommentSchedulerService,
    private readonly i18n: Translator,
    private readonly logger: Logger,
  ) {}

  get chatId(): number | undefined {
    return this.config().reviewChatId;
  }

  private t(key: string, vars?: Record<string, string | number>): string {
    return this.i18n.t(this.i18n.defaultLocale, key, vars);
  }

  async canReview(userId: number): Promise<boolean> {
    const cfg = this.config();
    if (cfg.reviewerIds.length > 0) return cfg.reviewerIds.includes(userId);
    if (cfg.reviewChatId === undefined) return false;
    return this.bot.isChatAdmin(cfg.reviewChatId, userId);
  }

  private render(d: DraftView): { text: string; buttons: InlineButton[][] } {
    const excerpt = d.postText.length > 600 ? `${d.postText.slice(0, 599)}…` : d.postText;
    let text = this.t('commentator-review-draft', {
      id: d.id,
      channel: d.channelTitle || String(d.channelId),
      relevance: d.relevance ?? 0,
      offline: d.offline ? this.t('commentator-review-offline-mark') : '',
      post: excerpt || '—',
      draft: d.text,
    });
    let buttons: InlineButton[][] = [];
    if (d.status === 'pending') {
      buttons = [
        [
          { text: this.t('commentator-review-approve'), data: reviewCallback('approve', d.id) },
          { text: this.t('commentator-review-edit'), data: reviewCallback('edit', d.id) },
          { text: this.t('commentator-review-reject'), data: reviewCallback('reject', d.id) },
        ],
      ];
    } else if (d.status === 'scheduled' || d.status === 'sending') {
      const due = d.dueAt ? formatInZone(d.dueAt, this.config().timeZone) : '';
      text += `\n\n${
        d.decidedBy === AUTO_APPROVER
          ? this.t('commentator-review-status-auto', { due })
          : this.t('commentator-review-status-scheduled', { by: this.deciderName(d.decidedBy), due })
      }`;
    } else if (d.status === 'sent') {
      text += `\n\n${this.t('commentator-review-status-sent')}`;
    } else if (d.status === 'rejected') {
      text += `\n\n${this.t('commentator-review-status-rejected', { by: this.deciderName(d.decidedBy) })}`;
    } else if (d.status === 'failed') {
      text += `\n\n${this.t('commentator-review-status-failed', { reason: d.failureReason ?? '' })}`;
    }
    return { text, buttons };
  }

  /**
   * Who decided, as reviewers know them: the stored actor (`telegram:<id> (<name>)`,
   * `admin:<name>`) is an audit record, not a text for the review chat.
   */
  private deciderName(decidedBy: string | null): string {
    if (!decidedBy) return '—';
    const reviewer = /^telegram:\d+ \((.*)\)$/s.exec(decidedBy);
    if (reviewer) return reviewer[1]!;
    if (decidedBy.startsWith('admin:'))
      return this.t('commentator-review-by-panel', { name: decidedBy.slice('admin:'.length) });
    return decidedBy;
  }

  /** Posts a new draft to the review chat (no-op without one). */
  async postDraft(commentId: number): Promise<void> {
    const chatId = this.chatId;
    if (chatId === undefined) return;
    const draft = await this.scheduler.get(commentId);
    const { text, buttons } = this.render(draft);
    const sent = await this.bot.postWithButtons(chatId, text, buttons);
    await this.sql.execute(
      'UPDATE commentator_generated_comments SET review_chat_id = $2, review_message_id = $3 WHERE id = $1',
      [commentId, chatId, sent.messageId],
    );
  }

  /** Shows the draft's current state in the review chat (after a decision anywhere). */
  async refresh(commentId: number): Promise<void> {
    const draft = await this.scheduler.get(commentId);
    if (draft.reviewChatId === null || draft.reviewMessageId === null) return;
    const { text, buttons } = this.render(draft);
    await this.bot
      .editWithButtons(draft.reviewChatId, draft.reviewMessageId, text, buttons)
      .catch((err) => this.logger.debug({ err, commentId }, 'could not update the review message'));
  }

  async press(user: { id: number; name: string }, data: string): Promise<PressResult> {
    const parsed = parseReviewCallback(data);
    if (!parsed) return 'unknown';
    if (!(await this.canReview(user.id))) return 'not_allowed';
    const draft = await this.scheduler.get(parsed.commentId).catch(() => null);
    if (!draft) return 'unknown';
    if (draft.status !== 'pending') return 'already';
    const by = `telegram:${user.id} (${user.name})`;
    if (parsed.action === 'edit') return 'edit_hint';
    if (parsed.action === 'approve') await this.scheduler.approve(draft.id, by);
    else await this.scheduler.reject(draft.id, by);
    await this.refresh(draft.id);
    return 'done';
  }

  /** A reviewer replied to a draft message with a new text. Null: not a reply to a draft. */
  async replyEdit(
    user: { id: number; name: string },
    chatId: number,
    replyToMessageId: number,
    text: string,
  ): Promise<{ ok: true; id: number } | { ok: false; reason: string } | null> {
    if (chatId !== this.chatId) return null;
    const row = await this.sql.one<{ id: number }>(
      'SELECT id FROM commentator_generated_comments WHERE review_chat_id = $1 AND review_message_id = $2',
      [chatId, replyToMessageId],
    );
    if (!row) return null;
    if (!(await this.canReview(user.id)))
      return { ok: false, reason: this.t('commentator-review-not-allowed') };
    try {
      await this.scheduler.edit(Number(row.id), text, `telegram:${user.id} (${user.name})`);
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
    await this.refresh(Number(row.id));
    return { ok: true, id: Number(row.id) };
  }

  /** An account was paused (PEER_FLOOD): tells the review chat in its words, and the log. */
  async alertPaused(accountId: number, reason: string): Promise<void> {
    const row = await this.sql.one<{ label: string }>(
      'SELECT label FROM commentator_accounts WHERE id = $1',
      [accountId],
    );
    await this.alert(this.t('commentator-alert-paused', { account: row?.label ?? `#${accountId}`, reason }));
  }

  async alert(text: string): Promise<void> {
    const chatId = this.chatId;
    this.logger.warn({ alert: text }, 'commentator alert');
    if (chatId !== undefined) await this.bot.notify(chatId, text);
  }
}
