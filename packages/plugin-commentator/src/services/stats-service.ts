import type { Sql } from './sql.js';

/** Counts for the dashboard and `GET /stats`: totals, per channel and per account. */
export class StatsService {
  constructor(private readonly sql: Sql) {}

  async stats() {
    const totals = await this.sql.one<any>(
      `SELECT
         (SELECT count(*) FROM commentator_telegram_posts)::int AS posts_seen,
         (SELECT count(*) FROM commentator_telegram_posts WHERE status = 'skipped')::int AS posts_skipped,
         (SELECT count(*) FROM commentator_generated_comments)::int AS drafted,
         (SELECT count(*) FROM commentator_generated_comments WHERE status = 'pending')::int AS pending,
         (SELECT count(*) FROM commentator_generated_comments WHERE decided_at IS NOT NULL AND status <> 'rejected')::int AS approved,
         (SELECT count(*) FROM commentator_generated_comments WHERE status = 'rejected')::int AS rejected,
         (SELECT count(*) FROM commentator_generated_comments WHERE status = 'sent')::int AS sent,
         (SELECT count(*) FROM commentator_generated_comments WHERE status = 'failed')::int AS failed,
         (SELECT count(*) FROM commentator_direct_messages WHERE kind = 'reply')::int AS replies,
         (SELECT COALESCE(sum(total), 0) FROM commentator_reactions r JOIN commentator_generated_comments g
            ON g.sent_chat_id = r.chat_id AND g.sent_message_id = r.message_id)::int AS reactions`,
    );
    // Engagement per comment: replies stored for it and the reaction total on the sent message.
    const perComment = `SELECT g.id, g.post_id, g.account_id, g.status, g.decided_at,
         (SELECT count(*) FROM commentator_direct_messages d WHERE d.comment_id = g.id AND d.kind = 'reply') AS replies,
         COALESCE((SELECT r.total FROM commentator_reactions r
                   WHERE r.chat_id = g.sent_chat_id AND r.message_id = g.sent_message_id), 0) AS reactions
       FROM commentator_generated_comments g`;
    const counts = `count(g.id)::int AS drafted,
         count(g.id) FILTER (WHERE g.decided_at IS NOT NULL AND g.status <> 'rejected')::int AS approved,
         count(g.id) FILTER (WHERE g.status = 'sent')::int AS sent,
         count(g.id) FILTER (WHERE g.status = 'failed')::int AS failed,
         COALESCE(sum(g.replies), 0)::int AS replies,
         COALESCE(sum(g.reactions), 0)::int AS reactions`;
    const perChannel = await this.sql.select<any>(
      `SELECT c.id, COALESCE(NULLIF(c.title, ''), c.chat_id::text) AS title,
         (SELECT count(*) FROM commentator_telegram_posts p WHERE p.channel_id = c.id)::int AS posts,
         (SELECT count(*) FROM commentator_telegram_posts p WHERE p.channel_id = c.id AND p.status = 'skipped')::int AS skipped,
         ${counts}
       FROM commentator_telegram_channels c
       LEFT JOIN commentator_telegram_posts p ON p.channel_id = c.id
       LEFT JOIN (${perComment}) g ON g.post_id = p.id
       GROUP BY c.id ORDER BY c.id`,
    );
    const perAccount = await this.sql.select<any>(
      `SELECT a.id, a.label, a.kind, a.status, ${counts}
       FROM commentator_accounts a LEFT JOIN (${perComment}) g ON g.account_id = a.id
       GROUP BY a.id ORDER BY a.id`,
    );
    return {
      postsSeen: totals.posts_seen,
      postsSkipped: totals.posts_skipped,
      drafted: totals.drafted,
      pending: totals.pending,
      approved: totals.approved,
      rejected: totals.rejected,
      sent: totals.sent,
      failed: totals.failed,
      engagement: { replies: totals.replies, reactions: totals.reactions },
      perChannel,
      perAccount,
    };
  }
}
