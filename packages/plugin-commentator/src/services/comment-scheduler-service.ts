import type { EventBus, Jobs } from '@botloom/core';
import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import type { CommentatorConfig } from '../config.js';
import { isTelegramFailure, TelegramFailure } from '../gateway/telegram-errors.js';
import type { AccountSecurityService } from './account-security-service.js';
import type { CommentTransport } from './comment-transport.js';
import { CommentatorInputError, CommentatorNotFoundError, CommentatorStateError } from './errors.js';
import type { PersonalityService } from './personality-service.js';
import type { Clock } from './ports.js';
import {
  type Account,
  type Comment,
  type CommentStatus,
  toAccount,
  toChannel,
  toComment,
  toPost,
} from './records.js';
import type { Sql } from './sql.js';

export const SEND_JOB = 'send-comment';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A send that has not finished after this long was interrupted (crash, restart). */
const STUCK_MS = 10 * 60_000;
const MAX_ATTEMPTS = 5;
/** The failure reason of a send that was interrupted: it may or may not be under the post. */
export const UNKNOWN_OUTCOME = 'UNKNOWN_OUTCOME';
/** The decider recorded when a channel's auto-approval (owned channels only) approved a draft. */
export const AUTO_APPROVER = 'auto-approve';

export type SendOutcome =
  | { status: 'sent'; messageId: number }
  | { status: 'not_due' | 'taken' | 'account_unavailable' }
  | { status: 'rescheduled'; reason: string; dueAt: Date }
  | { status: 'failed'; reason: string };

/** A draft as the approval queue shows it: beside the post it answers. */
export interface DraftView extends Comment {
  channelId: number;
  channelTitle: string;
  postMessageId: number;
  postText: string;
  postMedia: { kind: string } | null;
  relevance: number | null;
  analysisOffline: boolean | null;
  accountLabel: string;
  /** The last send was interrupted: the comment may already be under the post. */
  outcomeUnknown: boolean;
}

const DRAFT_SELECT = `
  SELECT g.*, s.due_at, p.channel_id, p.message_id AS post_message_id, p.text AS post_text, p.media AS post_media,
         p.relevance, p.analysis_offline, c.title AS channel_title, a.label AS account_label
  FROM commentator_generated_comments g
  JOIN commentator_telegram_posts p ON p.id = g.post_id
  JOIN commentator_telegram_channels c ON c.id = p.channel_id
  JOIN commentator_accounts a ON a.id = g.account_id
  LEFT JOIN commentator_comment_schedules s ON s.comment_id = g.id`;

function toDraftView(r: any): DraftView {
  return {
    ...toComment(r),
    channelId: Number(r.channel_id),
    channelTitle: r.channel_title,
    postMessageId: Number(r.post_message_id),
    postText: r.post_text,
    postMedia: r.post_media ?? null,
    relevance: r.relevance === null ? null : Number(r.relevance),
    analysisOffline: r.analysis_offline,
    accountLabel: r.account_label,
    outcomeUnknown: r.status === 'failed' && String(r.failure_reason ?? '').startsWith(UNKNOWN_OUTCOME),
  };
}

/**
 * Approval and sending. An approved comment gets a slot within the caps (per account per
 * hour and per day, per channel per day, a fixed spacing between an account's comments) and
 * a durable job; a per-minute sweep sends whatever is due in case a job was lost. Sending
 * claims the comment in the database first, so two runs never send it twice.
 */
export class CommentSchedulerService {
  private jobs: Jobs | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly config: () => CommentatorConfig,
    private readonly clock: Clock,
    private readonly transport: CommentTransport,
    private readonly security: AccountSecurityService,
    private readonly personality: PersonalityService,
    private readonly events: EventBus,
    private readonly logger: Logger,
    /** Called when an account is paused for PEER_FLOOD: tell a person. */
    private readonly alertPaused: (accountId: number, reason: string) => Promise<void>,
    /** The chats that concern the bot side: a comment's chat joins them once it is sent there. */
    private readonly scope?: { add(chatId: number): Promise<void> },
  ) {}

  /** The job queue exists once the app started; until then the sweep does the sending. */
  attachJobs(jobs: Jobs): void {
    this.jobs = jobs;
  }

  async get(id: number): Promise<DraftView> {
    const row = await this.sql.one<any>(`${DRAFT_SELECT} WHERE g.id = $1`, [id]);
    if (!row) throw new CommentatorNotFoundError('draft', id);
    return toDraftView(row);
  }

  async list(status: CommentStatus | undefined, limit: number, offset: number) {
    const where = status ? 'WHERE g.status = $3' : '';
    const bind = status ? [limit, offset, status] : [limit, offset];
    const rows = await this.sql.select<any>(
      `SELECT *, count(*) OVER () AS total FROM (${DRAFT_SELECT} ${where}) x ORDER BY id DESC LIMIT $1 OFFSET $2`,
      bind,
    );
    return { items: rows.map(toDraftView), total: rows[0] ? Number(rows[0].total) : 0 };
  }

  /** A person rewrites a pending draft; the disclosure line is kept (added back if removed). */
  async edit(id: number, text: string, by: string): Promise<DraftView> {
    const draft = await this.get(id);
    if (draft.status !== 'pending') {
      throw new CommentatorStateError(`Only pending drafts can be edited (this one is ${draft.status})`, {
        code: 'DRAFT_NOT_PENDING',
      });
    }
    const account = toAccount(
      await this.sql.one<any>('SELECT * FROM commentator_accounts WHERE id = $1', [draft.accountId]),
    );
    const final = this.withDisclosure(text, account);
    await this.sql.execute(
      `UPDATE commentator_generated_comments SET text = $2, edited = true, decided_by = $3, updated_at = now() WHERE id = $1`,
      [id, final, by],
    );
    return this.get(id);
  }

  private withDisclosure(text: string, account: Account): string {
    const max = this.config().maxCommentChars;
    const trimmed = text.trim();
    if (!trimmed) throw new CommentatorInputError('DRAFT_EMPTY', 'The comment is empty');
    const disclosure = this.personality.disclosureLine(account);
    const final = disclosure && !trimmed.includes(disclosure) ? `${trimmed}\n\n${disclosure}` : trimmed;
    if (final.length > max) {
      throw new CommentatorInputError(
        'DRAFT_TOO_LONG',
        `The comment is ${final.length} characters with the disclosure line; at most ${max}`,
      );
    }
    return final;
  }

  async reject(id: number, by: string): Promise<DraftView> {
    const n = await this.sql.execute(
      `UPDATE commentator_generated_comments SET status = 'rejected', decided_by = $2, decided_at = $3, updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [id, by, this.clock()],
    );
    const draft = await this.get(id);
    if (n === 0) {
      throw new CommentatorStateError(`Only pending drafts can be rejected (this one is ${draft.status})`, {
        code: 'DRAFT_NOT_PENDING',
      });
    }
    return draft;
  }

  /** Approves a pending draft (optionally with a new text) and schedules it within the caps. */
  async approve(id: number, by: string, text?: string): Promise<DraftView> {
    if (text !== undefined) await this.edit(id, text, by);
    const now = this.clock();
    const dueAt = await this.sql.transaction(async (t) => {
      const row = await this.lockComment(id, t);
      if (row.status !== 'pending') {
        throw new CommentatorStateError(`Only pending drafts can be approved (this one is ${row.status})`, {
          code: 'DRAFT_NOT_PENDING',
        });
      }
      await this.sql.execute(
        `UPDATE commentator_generated_comments SET status = 'scheduled', decided_by = $2, decided_at = $3, updated_at = now() WHERE id = $1`,
        [id, by, now],
        t,
      );
      return this.scheduleComment(row, now, null, t);
    });
    await this.enqueue(id, dueAt);
    return this.get(id);
  }

  /**
   * Schedules a failed comment again, on a person's word (never automatically). When its last
   * send was interrupted (UNKNOWN_OUTCOME) the comment may already be under the post, so the
   * person must confirm they checked the discussion: without `confirmed` it is refused.
   */
  async retryFailed(id: number, by: string, confirmed: boolean): Promise<DraftView> {
    const now = this.clock();
    const dueAt = await this.sql.transaction(async (t) => {
      const row = await this.lockComment(id, t);
      if (row.status !== 'failed') {
        throw new CommentatorStateError(`Only failed comments can be retried (this one is ${row.status})`, {
          code: 'COMMENT_NOT_FAILED',
        });
      }
      if (String(row.failure_reason ?? '').startsWith(UNKNOWN_OUTCOME) && !confirmed) {
        throw new CommentatorStateError(
          'The last send was interrupted, so this comment may already be under the post. Check the discussion, then retry with {"confirm": true}',
          { code: 'CONFIRMATION_REQUIRED' },
        );
      }
      await this.sql.execute(
        `UPDATE commentator_generated_comments SET status = 'scheduled', failure_reason = NULL, updated_at = now()
         WHERE id = $1`,
        [id],
        t,
      );
      return this.scheduleComment(row, now, `retried by ${by}`, t);
    });
    this.logger.info({ commentId: id, by, confirmed }, 'a failed comment was scheduled again by a person');
    await this.enqueue(id, dueAt);
    return this.get(id);
  }

  /** Locks a comment row (with its post's channel) for the rest of the transaction. */
  private async lockComment(id: number, t: Transaction): Promise<any> {
    const row = await this.sql.one<any>(
      `SELECT g.*, p.channel_id FROM commentator_generated_comments g JOIN commentator_telegram_posts p ON p.id = g.post_id
       WHERE g.id = $1 FOR UPDATE OF g`,
      [id],
      t,
    );
    if (!row) throw new CommentatorNotFoundError('draft', id);
    return row;
  }

  /**
   * Books the next free slot for a locked comment that a person just sent on its way
   * (approved, or retried after a failure); returns its due time. The channel must still take
   * comments (it may have been marked "never comment" or lost its discussion since the draft),
   * and its account must not have been deactivated.
   */
  private async scheduleComment(row: any, now: Date, note: string | null, t: Transaction): Promise<Date> {
    const id = Number(row.id);
    const accountId = Number(row.account_id);
    const channel = toChannel(
      await this.sql.one<any>(
        'SELECT * FROM commentator_telegram_channels WHERE id = $1',
        [row.channel_id],
        t,
      ),
    );
    if (channel.neverComment) {
      throw new CommentatorStateError('This channel is marked "never comment here"', {
        code: 'NEVER_COMMENT',
      });
    }
    if (!channel.commentsOpen) {
      throw new CommentatorStateError('Comments are closed in this channel', { code: 'COMMENTS_CLOSED' });
    }
    // FOR SHARE: a deactivation committing meanwhile either waits for this comment to be
    // scheduled (and then withdraws it) or is seen here; never a comment left behind.
    const account = await this.sql.one<{ status: string }>(
      'SELECT status FROM commentator_accounts WHERE id = $1 FOR SHARE',
      [accountId],
      t,
    );
    if (account?.status === 'deactivated') {
      throw new CommentatorStateError('The account of this comment is deactivated: reactivate it first', {
        code: 'ACCOUNT_DEACTIVATED',
      });
    }
    // One slot computation per account at a time, so two people never take the same slot.
    await this.sql.execute('SELECT pg_advisory_xact_lock(727001, $1)', [accountId], t);
    const due = await this.nextSlot(accountId, channel.id, now, id, t);
    await this.sql.execute(
      `INSERT INTO commentator_comment_schedules (comment_id, due_at, last_error) VALUES ($1, $2, $3)
       ON CONFLICT (comment_id) DO UPDATE SET due_at = $2, claimed_at = NULL, attempts = 0, last_error = $3`,
      [id, due, note],
      t,
    );
    return due;
  }

  private async enqueue(commentId: number, dueAt: Date): Promise<void> {
    if (!this.jobs) return;
    const seconds = Math.max(0, Math.ceil((dueAt.getTime() - this.clock().getTime()) / 1000));
    await this.jobs
      .send(SEND_JOB, { commentId }, seconds > 0 ? { startAfter: seconds } : {})
      .catch((err) =>
        this.logger.warn({ err, commentId }, 'could not queue the send job; the sweep will send it'),
      );
  }

  /**
   * The earliest time at or after `from` when the account and the channel have room:
   * calendar hour and day buckets (UTC) against the caps, and the spacing between the
   * account's comments. Slots are the due times of scheduled comments and the send times of
   * sent ones.
   */
  async nextSlot(
    accountId: number,
    channelId: number,
    from: Date,
    excludeCommentId: number,
    transaction?: Transaction,
  ): Promise<Date> {
    const cfg = this.config();
    const caps = await this.sql.one<any>(
      `SELECT a.hourly_cap, a.daily_cap, a.paused_until, c.daily_cap AS channel_cap
       FROM commentator_accounts a, commentator_telegram_channels c WHERE a.id = $1 AND c.id = $2`,
      [accountId, channelId],
      transaction,
    );
    const hourlyCap = caps?.hourly_cap ?? cfg.accountHourlyCap;
    const dailyCap = caps?.daily_cap ?? cfg.accountDailyCap;
    const channelCap = caps?.channel_cap ?? cfg.channelDailyCap;
    const slots = await this.sql.select<{ slot: Date; account_id: number; channel_id: number }>(
      `SELECT COALESCE(g.sent_at, s.due_at) AS slot, g.account_id, p.channel_id
       FROM commentator_generated_comments g
       JOIN commentator_telegram_posts p ON p.id = g.post_id
       LEFT JOIN commentator_comment_schedules s ON s.comment_id = g.id
       WHERE g.status IN ('scheduled', 'sending', 'sent') AND g.id <> $3
         AND (g.account_id = $1 OR p.channel_id = $2)
         AND COALESCE(g.sent_at, s.due_at) >= $4`,
      [accountId, channelId, excludeCommentId, new Date(from.getTime() - DAY)],
      transaction,
    );
    const accountSlots = slots
      .filter((s) => Number(s.account_id) === accountId)
      .map((s) => new Date(s.slot).getTime());
    const channelSlots = slots
      .filter((s) => Number(s.channel_id) === channelId)
      .map((s) => new Date(s.slot).getTime());
    const spacing = cfg.minSpacingSeconds * 1000;
    let t = Math.max(from.getTime(), caps?.paused_until ? new Date(caps.paused_until).getTime() : 0);
    for (let i = 0; i < 1000; i++) {
      const hourStart = Math.floor(t / HOUR) * HOUR;
      const dayStart = Math.floor(t / DAY) * DAY;
      const inHour = accountSlots.filter((s) => s >= hourStart && s < hourStart + HOUR).length;
      const inDay = accountSlots.filter((s) => s >= dayStart && s < dayStart + DAY).length;
      const channelInDay = channelSlots.filter((s) => s >= dayStart && s < dayStart + DAY).length;
      if (inDay >= dailyCap || channelInDay >= channelCap) {
        t = dayStart + DAY;
        continue;
      }
      if (inHour >= hourlyCap) {
        t = hourStart + HOUR;
        continue;
      }
      const near = accountSlots.find((s) => Math.abs(s - t) < spacing);
      if (near !== undefined) {
        t = near + spacing;
        continue;
      }
      return new Date(t);
    }
    throw new CommentatorStateError('No free slot within the caps', { code: 'NO_SLOT' });
  }

  /** Sends every comment that is due; the per-minute sweep and tests call it. */
  async runDue(): Promise<SendOutcome[]> {
    await this.recoverStuck();
    const due = await this.sql.select<{ comment_id: number }>(
      `SELECT s.comment_id FROM commentator_comment_schedules s
       JOIN commentator_generated_comments g ON g.id = s.comment_id
       WHERE g.status = 'scheduled' AND s.due_at <= $1 ORDER BY s.due_at, s.comment_id LIMIT 50`,
      [this.clock()],
    );
    const out: SendOutcome[] = [];
    for (const { comment_id } of due) out.push(await this.sendOne(Number(comment_id)));
    return out;
  }

  /** Sends one comment if it is due and nobody else is sending it. */
  async sendOne(commentId: number): Promise<SendOutcome> {
    const now = this.clock();
    const info = await this.sql.one<any>(
      `SELECT g.status, g.account_id, s.due_at, a.status AS account_status, a.paused_until, a.pause_reason
       FROM commentator_generated_comments g
       JOIN commentator_accounts a ON a.id = g.account_id
       LEFT JOIN commentator_comment_schedules s ON s.comment_id = g.id WHERE g.id = $1`,
      [commentId],
    );
    if (info?.status !== 'scheduled') return { status: 'taken' };
    if (!info.due_at || new Date(info.due_at) > now) return { status: 'not_due' };
    const accountId = Number(info.account_id);
    if (info.account_status === 'paused' && info.paused_until && new Date(info.paused_until) <= now) {
      await this.security.resume(accountId, 'timer');
    } else if (info.account_status !== 'active') {
      return { status: 'account_unavailable' };
    }
    const claimed = await this.sql.transaction(async (t) => {
      const n = await this.sql.execute(
        `UPDATE commentator_generated_comments SET status = 'sending', updated_at = now() WHERE id = $1 AND status = 'scheduled'`,
        [commentId],
        t,
      );
      if (n === 0) return false;
      await this.sql.execute(
        'UPDATE commentator_comment_schedules SET claimed_at = $2, attempts = attempts + 1 WHERE comment_id = $1',
        [commentId, now],
        t,
      );
      return true;
    });
    if (!claimed) return { status: 'taken' };

    const row = await this.sql.one<any>(
      `SELECT g.*, s.attempts FROM commentator_generated_comments g
       JOIN commentator_comment_schedules s ON s.comment_id = g.id WHERE g.id = $1`,
      [commentId],
    );
    const comment = toComment(row);
    const post = toPost(
      await this.sql.one<any>('SELECT * FROM commentator_telegram_posts WHERE id = $1', [comment.postId]),
    );
    const channel = toChannel(
      await this.sql.one<any>('SELECT * FROM commentator_telegram_channels WHERE id = $1', [post.channelId]),
    );
    try {
      if (channel.neverComment)
        throw new TelegramFailure('COMMENTS_CLOSED', 'The channel is marked "never comment here"');
      const sent = await this.transport.send(channel, post, comment);
      const sentAt = this.clock();
      await this.sql.transaction(async (t) => {
        await this.sql.execute(
          `UPDATE commentator_generated_comments SET status = 'sent', sent_chat_id = $2, sent_message_id = $3, sent_at = $4,
             failure_reason = NULL, updated_at = now() WHERE id = $1`,
          [commentId, sent.chatId, sent.messageId, sentAt],
          t,
        );
        await this.sql.execute(
          'UPDATE commentator_comment_schedules SET due_at = $2, last_error = NULL WHERE comment_id = $1',
          [commentId, sentAt],
          t,
        );
      });
      await this.scope?.add(sent.chatId);
      await this.events.emit('commentator.comment.sent', { commentId, channelId: channel.id, accountId });
      return { status: 'sent', messageId: sent.messageId };
    } catch (error) {
      return this.afterFailure(commentId, accountId, channel.id, Number(row.attempts), error);
    }
  }

  private async afterFailure(
    commentId: number,
    accountId: number,
    channelId: number,
    attempts: number,
    error: unknown,
  ): Promise<SendOutcome> {
    const now = this.clock();
    if (isTelegramFailure(error) && error.permanent) {
      return this.fail(commentId, `${error.failure}: ${error.message}`);
    }
    if (isTelegramFailure(error, 'FLOOD_WAIT')) {
      const seconds = error.seconds ?? 60;
      const until = new Date(now.getTime() + seconds * 1000);
      await this.security.record(accountId, 'flood_wait', { seconds, commentId });
      await this.security.pause(accountId, 'flood_wait', until);
      return this.reschedule(commentId, accountId, channelId, until, `FLOOD_WAIT_${seconds}`);
    }
    if (isTelegramFailure(error, 'SLOWMODE_WAIT')) {
      const seconds = error.seconds ?? 60;
      await this.security.record(accountId, 'slowmode_wait', { seconds, commentId });
      return this.reschedule(
        commentId,
        accountId,
        channelId,
        new Date(now.getTime() + seconds * 1000),
        `SLOWMODE_WAIT_${seconds}`,
      );
    }
    if (isTelegramFailure(error, 'PEER_FLOOD')) {
      await this.security.record(accountId, 'peer_flood', { commentId });
      await this.security.pause(accountId, 'peer_flood', null);
      await this.alertPaused(accountId, 'PEER_FLOOD').catch((err) =>
        this.logger.warn({ err }, 'could not alert about the paused account'),
      );
      return this.reschedule(commentId, accountId, channelId, now, 'PEER_FLOOD');
    }
    const code = isTelegramFailure(error) ? error.failure : 'ERROR';
    if (!isTelegramFailure(error)) this.logger.warn({ err: error, commentId }, 'sending a comment failed');
    if (attempts >= MAX_ATTEMPTS) return this.fail(commentId, `${code}: gave up after ${attempts} attempts`);
    return this.reschedule(
      commentId,
      accountId,
      channelId,
      new Date(now.getTime() + attempts * 60_000),
      code,
    );
  }

  private async reschedule(
    commentId: number,
    accountId: number,
    channelId: number,
    from: Date,
    reason: string,
  ): Promise<SendOutcome> {
    const dueAt = await this.sql.transaction(async (t) => {
      await this.sql.execute('SELECT pg_advisory_xact_lock(727001, $1)', [accountId], t);
      const due = await this.nextSlot(accountId, channelId, from, commentId, t);
      await this.sql.execute(
        `UPDATE commentator_generated_comments SET status = 'scheduled', updated_at = now() WHERE id = $1 AND status = 'sending'`,
        [commentId],
        t,
      );
      await this.sql.execute(
        'UPDATE commentator_comment_schedules SET due_at = $2, claimed_at = NULL, last_error = $3 WHERE comment_id = $1',
        [commentId, due, reason],
        t,
      );
      return due;
    });
    await this.enqueue(commentId, dueAt);
    return { status: 'rescheduled', reason, dueAt };
  }

  private async fail(commentId: number, reason: string): Promise<SendOutcome> {
    await this.sql.execute(
      `UPDATE commentator_generated_comments SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1`,
      [commentId, reason],
    );
    return { status: 'failed', reason };
  }

  /**
   * Comments left in `sending` by a process that stopped mid-send. Through an account the
   * retry is safe (Telegram drops a repeated random_id); through the Bot API it is not, so
   * those are marked failed for a person to check rather than risk a second copy.
   */
  async recoverStuck(): Promise<number> {
    const cutoff = new Date(this.clock().getTime() - STUCK_MS);
    const rows = await this.sql.select<any>(
      `SELECT g.id, c.route FROM commentator_generated_comments g
       JOIN commentator_comment_schedules s ON s.comment_id = g.id
       JOIN commentator_telegram_posts p ON p.id = g.post_id
       JOIN commentator_telegram_channels c ON c.id = p.channel_id
       WHERE g.status = 'sending' AND s.claimed_at < $1`,
      [cutoff],
    );
    for (const r of rows) {
      if (r.route === 'account') {
        await this.sql.execute(
          `UPDATE commentator_generated_comments SET status = 'scheduled', updated_at = now() WHERE id = $1 AND status = 'sending'`,
          [r.id],
        );
      } else {
        await this.fail(
          Number(r.id),
          `${UNKNOWN_OUTCOME}: the process stopped while sending; check the discussion before sending it again`,
        );
      }
    }
    return rows.length;
  }
}
