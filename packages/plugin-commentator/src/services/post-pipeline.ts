import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CommentatorConfig } from '../config.js';
import type { AccountManagementService } from './account-management-service.js';
import type { ChannelMonitorService } from './channel-monitor-service.js';
import type { CommentGenerationService } from './comment-generation-service.js';
import { AUTO_APPROVER, type CommentSchedulerService } from './comment-scheduler-service.js';
import { scoreTopics } from './post-analysis.js';
import type { Comment } from './records.js';
import { toComment } from './records.js';
import type { Sql } from './sql.js';

export type PipelineOutcome =
  | { status: 'drafted'; comment: Comment; autoApproved: boolean }
  | { status: 'skipped'; reason: string }
  | { status: 'done' };

/**
 * One stored post, start to finish: analysis, relevance against the brand's topics, the
 * channel's switches, the draft in the commenting account's voice, auto-approval when the
 * operator opted in for a channel it owns, and the review chat. Every skip has its reason.
 */
export class PostPipeline {
  constructor(
    private readonly sql: Sql,
    private readonly config: () => CommentatorConfig,
    private readonly channels: ChannelMonitorService,
    private readonly accounts: AccountManagementService,
    private readonly generation: CommentGenerationService,
    private readonly scheduler: CommentSchedulerService,
    private readonly onDraft: (commentId: number) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  private async skip(postId: number, reason: string): Promise<PipelineOutcome> {
    await this.sql.execute(
      `UPDATE commentator_telegram_posts SET status = 'skipped', skip_reason = $2 WHERE id = $1`,
      [postId, reason],
    );
    return { status: 'skipped', reason };
  }

  async process(postId: number): Promise<PipelineOutcome> {
    const post = await this.channels.post(postId);
    if (post?.status !== 'new') return { status: 'done' };
    const channel = await this.channels.get(post.channelId);
    if (!post.text.trim()) return this.skip(post.id, 'no_text: the post has only media');

    const cfg = this.config();
    const { analysis, offline } = await this.generation.analyse(post.text);
    const relevance = scoreTopics(post.text, analysis.keywords, cfg.topics);
    await this.sql.execute(
      'UPDATE commentator_telegram_posts SET analysis = $2, analysis_offline = $3, relevance = $4 WHERE id = $1',
      [post.id, JSON.stringify(analysis), offline, relevance.score],
    );
    if (relevance.score < cfg.relevanceThreshold) {
      return this.skip(post.id, `below_threshold: relevance ${relevance.score} < ${cfg.relevanceThreshold}`);
    }
    if (channel.neverComment)
      return this.skip(post.id, 'never_comment: the channel is marked "never comment here"');
    if (!channel.commentsOpen)
      return this.skip(post.id, 'comments_closed: the channel has no discussion group');

    const account = await this.accounts.get(channel.accountId);
    if (account.status === 'deactivated' || account.status === 'logged_out') {
      return this.skip(post.id, `account_unavailable: account ${account.id} is ${account.status}`);
    }
    const voice = await this.accounts.voice(account.id);
    const draft = await this.generation.draft({
      postText: post.text,
      analysis,
      account,
      voice,
      maxChars: cfg.maxCommentChars,
    });
    const row = await this.sql.one<any>(
      `INSERT INTO commentator_generated_comments (post_id, account_id, text, language, offline, status, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT (post_id, account_id) DO NOTHING RETURNING *`,
      [post.id, account.id, draft.text, draft.language, draft.offline, randomUUID()],
    );
    await this.sql.execute(`UPDATE commentator_telegram_posts SET status = 'drafted' WHERE id = $1`, [
      post.id,
    ]);
    if (!row) return { status: 'done' };
    const comment = toComment(row);
    let autoApproved = false;
    if (channel.autoApprove && channel.owned) {
      await this.scheduler.approve(comment.id, AUTO_APPROVER);
      autoApproved = true;
    }
    await this.onDraft(comment.id).catch((err) =>
      this.logger.warn({ err, commentId: comment.id }, 'could not post the draft to the review chat'),
    );
    return { status: 'drafted', comment, autoApproved };
  }

  /** Posts stored but never processed (a crash between storing and the job): processed again. */
  async unprocessed(olderThan: Date): Promise<number[]> {
    const rows = await this.sql.select<{ id: number }>(
      `SELECT id FROM commentator_telegram_posts WHERE status = 'new' AND created_at < $1 ORDER BY id LIMIT 100`,
      [olderThan],
    );
    return rows.map((r) => Number(r.id));
  }
}
