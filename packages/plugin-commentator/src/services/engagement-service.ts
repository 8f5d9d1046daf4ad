import type { Logger } from 'pino';
import type { AccountSessionManager } from './account-session-manager.js';
import type { InboxService } from './inbox-service.js';
import type { Clock } from './ports.js';
import type { Sql } from './sql.js';

/**
 * Reads what people did with our sent comments (replies, reactions) and stores a snapshot
 * per run in `commentator_engagement_metrics`. Through the bot, replies and reactions arrive
 * as updates (`message_reaction` in the discussion group, `message_reaction_count` for the
 * anonymous reactions on channel posts) and are counted from the database; through an
 * account they are read from Telegram.
 */
export class EngagementService {
  constructor(
    private readonly sql: Sql,
    private readonly sessions: AccountSessionManager,
    private readonly inbox: InboxService,
    private readonly clock: Clock,
    private readonly days: () => number,
    private readonly logger: Logger,
  ) {}

  /** A reaction count update from the Bot API (`message_reaction_count`). */
  async recordReactionCount(chatId: number, messageId: number, total: number): Promise<void> {
    await this.sql.execute(
      `INSERT INTO commentator_reactions (chat_id, message_id, total) VALUES ($1, $2, $3)
       ON CONFLICT (chat_id, message_id) DO UPDATE SET total = $3, updated_at = now()`,
      [chatId, messageId, total],
    );
  }

  /**
   * One person changed their reactions on a message in a discussion group (Bot API
   * `message_reaction`: their old and new lists). Counted only on our own comments sent by the
   * bot: a comment sent through an account has its total read from Telegram by `measure()`,
   * and the bot, a member of the same group, sees those reactions too (counting both doubled it).
   */
  async recordReactionChange(chatId: number, messageId: number, delta: number): Promise<void> {
    if (delta === 0) return;
    await this.sql.execute(
      `INSERT INTO commentator_reactions (chat_id, message_id, total)
       SELECT $1::bigint, $2::int, GREATEST(0, $3::int)
       WHERE EXISTS (
         SELECT 1 FROM commentator_generated_comments g
         JOIN commentator_telegram_posts p ON p.id = g.post_id
         JOIN commentator_telegram_channels c ON c.id = p.channel_id
         WHERE g.sent_chat_id = $1::bigint AND g.sent_message_id = $2::int AND c.route = 'bot')
       ON CONFLICT (chat_id, message_id) DO UPDATE
         SET total = GREATEST(0, commentator_reactions.total + $3::int), updated_at = now()`,
      [chatId, messageId, delta],
    );
  }

  async measure(): Promise<number> {
    const since = new Date(this.clock().getTime() - this.days() * 86_400_000);
    const rows = await this.sql.select<any>(
      `SELECT g.id, g.account_id, g.sent_chat_id, g.sent_message_id, c.route
       FROM commentator_generated_comments g
       JOIN commentator_telegram_posts p ON p.id = g.post_id
       JOIN commentator_telegram_channels c ON c.id = p.channel_id
       WHERE g.status = 'sent' AND g.sent_at >= $1`,
      [since],
    );
    let measured = 0;
    for (const r of rows) {
      const commentId = Number(r.id);
      try {
        if (r.route === 'account') {
          const session = await this.sessions.session(Number(r.account_id));
          const read = await session.readEngagement(Number(r.sent_chat_id), Number(r.sent_message_id));
          for (const reply of read.replies) await this.inbox.record(Number(r.account_id), reply, commentId);
          await this.recordReactionCount(Number(r.sent_chat_id), Number(r.sent_message_id), read.reactions);
        }
        await this.sql.execute(
          `INSERT INTO commentator_engagement_metrics (comment_id, replies, reactions, measured_at)
           SELECT $1,
             (SELECT count(*) FROM commentator_direct_messages WHERE comment_id = $1 AND kind = 'reply'),
             COALESCE((SELECT total FROM commentator_reactions WHERE chat_id = $2 AND message_id = $3), 0),
             $4`,
          [commentId, r.sent_chat_id, r.sent_message_id, this.clock()],
        );
        measured++;
      } catch (err) {
        this.logger.warn({ err, commentId }, 'could not read the engagement of a comment');
      }
    }
    return measured;
  }

  /** Sent comments with their latest engagement snapshot. */
  async sent(limit: number, offset: number) {
    const rows = await this.sql.select<any>(
      `SELECT g.id, g.text, g.sent_at, g.sent_chat_id, g.sent_message_id, g.account_id, a.label AS account_label,
              p.channel_id, c.title AS channel_title, p.text AS post_text,
              m.replies, m.reactions, m.measured_at, count(*) OVER () AS total
       FROM commentator_generated_comments g
       JOIN commentator_telegram_posts p ON p.id = g.post_id
       JOIN commentator_telegram_channels c ON c.id = p.channel_id
       JOIN commentator_accounts a ON a.id = g.account_id
       LEFT JOIN LATERAL (SELECT replies, reactions, measured_at FROM commentator_engagement_metrics e
                          WHERE e.comment_id = g.id ORDER BY e.id DESC LIMIT 1) m ON true
       WHERE g.status = 'sent' ORDER BY g.sent_at DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
    return {
      total: rows[0] ? Number(rows[0].total) : 0,
      items: rows.map((r) => ({
        id: Number(r.id),
        text: r.text,
        sentAt: r.sent_at,
        chatId: Number(r.sent_chat_id),
        messageId: Number(r.sent_message_id),
        accountId: Number(r.account_id),
        accountLabel: r.account_label,
        channelId: Number(r.channel_id),
        channelTitle: r.channel_title,
        postText: r.post_text,
        replies: r.replies ?? 0,
        reactions: r.reactions ?? 0,
        measuredAt: r.measured_at ?? null,
      })),
    };
  }
}
