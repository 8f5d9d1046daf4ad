import { isTelegramFailure } from '../gateway/telegram-errors.js';
import type { ChannelFacts } from '../gateway/user-account-gateway.js';
import type { AccountManagementService } from './account-management-service.js';
import type { AccountSessionManager } from './account-session-manager.js';
import { ChannelNotFoundError, CommentatorInputError, CommentatorStateError } from './errors.js';
import type { BotTelegramPort } from './ports.js';
import { type Channel, type Post, toChannel, toPost } from './records.js';
import type { Sql } from './sql.js';

export interface IncomingPost {
  chatId: number;
  messageId: number;
  text: string;
  media: { kind: string } | null;
  date: Date;
}

export interface ChannelPatch {
  neverComment?: boolean;
  autoApprove?: boolean;
  dailyCap?: number | null;
  accountId?: number;
}

/**
 * The channels the operator monitors and their posts. Bot-administered channels deliver
 * posts as Bot API `channel_post` updates; channels read by a user account are polled
 * (`pollAccountChannels`). Posts of channels nobody registered are ignored.
 */
export class ChannelMonitorService {
  constructor(
    private readonly sql: Sql,
    private readonly bot: BotTelegramPort,
    private readonly accounts: AccountManagementService,
    private readonly sessions: AccountSessionManager,
    private readonly botLabel: () => string,
    /** The chats that concern the bot side (see CommentatorChatScope): registered ones join. */
    private readonly scope?: { add(chatId: number | null): Promise<void> },
  ) {}

  private async inScope(channel: Channel): Promise<Channel> {
    await this.scope?.add(channel.chatId);
    await this.scope?.add(channel.discussionChatId);
    return channel;
  }

  async list(): Promise<Array<Channel & { posts: number; sent: number }>> {
    const rows = await this.sql.select<any>(
      `SELECT c.*,
         (SELECT count(*) FROM commentator_telegram_posts p WHERE p.channel_id = c.id)::int AS posts,
         (SELECT count(*) FROM commentator_generated_comments g JOIN commentator_telegram_posts p ON p.id = g.post_id
           WHERE p.channel_id = c.id AND g.status = 'sent')::int AS sent
       FROM commentator_telegram_channels c ORDER BY c.id`,
    );
    return rows.map((r) => ({ ...toChannel(r), posts: r.posts, sent: r.sent }));
  }

  async get(id: number): Promise<Channel> {
    const row = await this.sql.one<any>('SELECT * FROM commentator_telegram_channels WHERE id = $1', [id]);
    if (!row) throw new ChannelNotFoundError(String(id));
    return toChannel(row);
  }

  async byChatId(chatId: number): Promise<Channel | null> {
    const row = await this.sql.one<any>('SELECT * FROM commentator_telegram_channels WHERE chat_id = $1', [
      chatId,
    ]);
    return row ? toChannel(row) : null;
  }

  /**
   * Starts monitoring a channel. Route `bot`: the bot must be an administrator there
   * (Telegram sends channel posts only to admins); comments are open when the channel has a
   * linked discussion group. Route `account`: one of the operator's signed-in accounts reads
   * it; the channel is the operator's own (auto-approve allowed) only when that account is
   * one of its administrators.
   */
  async register(input: { chatId: number; route: 'bot' | 'account'; accountId?: number }): Promise<Channel> {
    if (await this.byChatId(input.chatId)) {
      throw new CommentatorStateError('This channel is already monitored', { code: 'CHANNEL_EXISTS' });
    }
    if (input.route === 'bot') {
      const info = await this.bot.inspectChannel(input.chatId);
      if (!info.botIsAdmin) {
        throw new CommentatorInputError(
          'BOT_NOT_ADMIN',
          'The bot must be an administrator of the channel to receive its posts',
        );
      }
      const account = await this.accounts.botAccount(this.botLabel());
      const row = await this.sql.one<any>(
        `INSERT INTO commentator_telegram_channels (chat_id, title, username, route, account_id, discussion_chat_id, comments_open, owned)
         VALUES ($1, $2, $3, 'bot', $4, $5, $6, true) RETURNING *`,
        [input.chatId, info.title, info.username, account.id, info.linkedChatId, info.linkedChatId !== null],
      );
      return this.inScope(toChannel(row));
    }
    if (input.accountId === undefined) {
      throw new CommentatorInputError(
        'ACCOUNT_REQUIRED',
        'Route "account" needs the accountId that reads the channel',
      );
    }
    const account = await this.accounts.get(input.accountId);
    if (account.kind !== 'user' || account.status !== 'active') {
      throw new CommentatorStateError('The account must be a signed-in user account', {
        code: 'ACCOUNT_NOT_ACTIVE',
      });
    }
    const session = await this.sessions.session(account.id);
    let facts: ChannelFacts;
    try {
      facts = await session.inspectChannel(input.chatId);
    } catch (error) {
      if (isTelegramFailure(error, 'POST_NOT_FOUND')) throw new ChannelNotFoundError(String(input.chatId));
      throw error;
    }
    const latest = await session.readNewPosts(input.chatId, 0, 1);
    const row = await this.sql.one<any>(
      `INSERT INTO commentator_telegram_channels (chat_id, title, username, route, account_id, discussion_chat_id, comments_open, owned, last_message_id)
       VALUES ($1, $2, $3, 'account', $4, $5, $6, $7, $8) RETURNING *`,
      [
        input.chatId,
        facts.title,
        facts.username,
        account.id,
        facts.linkedChatId,
        facts.linkedChatId !== null,
        facts.isAdmin,
        latest[0]?.messageId ?? 0,
      ],
    );
    return this.inScope(toChannel(row));
  }

  async update(id: number, patch: ChannelPatch): Promise<Channel> {
    const channel = await this.get(id);
    if (patch.autoApprove && !channel.owned) {
      throw new CommentatorStateError(
        'Auto-approve is only for channels the operator owns (the bot is an administrator there)',
        { code: 'AUTO_APPROVE_NOT_ALLOWED' },
      );
    }
    if (patch.accountId !== undefined && channel.route === 'account') {
      const account = await this.accounts.get(patch.accountId);
      if (account.kind !== 'user') {
        throw new CommentatorInputError('ACCOUNT_KIND', 'A channel read by an account needs a user account');
      }
    }
    const row = await this.sql.one<any>(
      `UPDATE commentator_telegram_channels SET
         never_comment = COALESCE($2, never_comment),
         auto_approve = COALESCE($3, auto_approve),
         daily_cap = CASE WHEN $4::boolean THEN $5::int ELSE daily_cap END,
         account_id = CASE WHEN route = 'account' THEN COALESCE($6, account_id) ELSE account_id END
       WHERE id = $1 RETURNING *`,
      [
        id,
        patch.neverComment ?? null,
        patch.autoApprove ?? null,
        patch.dailyCap !== undefined,
        patch.dailyCap ?? null,
        patch.accountId ?? null,
      ],
    );
    return toChannel(row);
  }

  async remove(id: number): Promise<void> {
    await this.get(id);
    await this.sql.execute('DELETE FROM commentator_telegram_channels WHERE id = $1', [id]);
  }

  /**
   * Stores a post of a monitored channel (once: a redelivered update finds it stored).
   * Returns the new post, or null for an unknown channel or a post already stored.
   */
  async ingest(post: IncomingPost): Promise<Post | null> {
    const channel = await this.byChatId(post.chatId);
    if (!channel) return null;
    const row = await this.sql.one<any>(
      `INSERT INTO commentator_telegram_posts (channel_id, message_id, text, media, posted_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (channel_id, message_id) DO NOTHING RETURNING *`,
      [channel.id, post.messageId, post.text, post.media ? JSON.stringify(post.media) : null, post.date],
    );
    await this.sql.execute(
      'UPDATE commentator_telegram_channels SET last_message_id = GREATEST(last_message_id, $2) WHERE id = $1',
      [channel.id, post.messageId],
    );
    return row ? toPost(row) : null;
  }

  /**
   * The post's automatic forward arrived in the linked discussion group: comments reply to
   * it. Also learns the discussion group if the channel was registered before it was linked.
   * The forward and the `channel_post` update come from two chats and are handled in
   * parallel, so either may arrive first: the forward stores the post too (same content) when
   * it is first, and says so (`created`), so that exactly one of the two queues it.
   */
  async recordDiscussionCopy(input: {
    channelChatId: number;
    channelMessageId: number;
    discussionChatId: number;
    discussionMessageId: number;
    text: string;
    media: { kind: string } | null;
    date: Date;
  }): Promise<{ post: Post; created: boolean } | null> {
    const channel = await this.byChatId(input.channelChatId);
    if (!channel) return null;
    if (channel.discussionChatId !== input.discussionChatId) {
      await this.sql.execute(
        'UPDATE commentator_telegram_channels SET discussion_chat_id = $2, comments_open = true WHERE id = $1',
        [channel.id, input.discussionChatId],
      );
      await this.scope?.add(input.discussionChatId);
    }
    const row = await this.sql.one<any>(
      `INSERT INTO commentator_telegram_posts (channel_id, message_id, text, media, posted_at, discussion_message_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (channel_id, message_id) DO UPDATE SET discussion_message_id = EXCLUDED.discussion_message_id
       RETURNING *, (xmax = 0) AS created`,
      [
        channel.id,
        input.channelMessageId,
        input.text,
        input.media ? JSON.stringify(input.media) : null,
        input.date,
        input.discussionMessageId,
      ],
    );
    await this.sql.execute(
      'UPDATE commentator_telegram_channels SET last_message_id = GREATEST(last_message_id, $2) WHERE id = $1',
      [channel.id, input.channelMessageId],
    );
    return { post: toPost(row), created: Boolean(row.created) };
  }

  async post(id: number): Promise<Post | null> {
    const row = await this.sql.one<any>('SELECT * FROM commentator_telegram_posts WHERE id = $1', [id]);
    return row ? toPost(row) : null;
  }

  async posts(
    channelId: number | undefined,
    limit: number,
    offset: number,
  ): Promise<{ items: Post[]; total: number }> {
    const where = channelId === undefined ? '' : 'WHERE channel_id = $3';
    const bind = channelId === undefined ? [limit, offset] : [limit, offset, channelId];
    const rows = await this.sql.select<any>(
      `SELECT *, count(*) OVER () AS total FROM commentator_telegram_posts ${where} ORDER BY id DESC LIMIT $1 OFFSET $2`,
      bind,
    );
    return { items: rows.map(toPost), total: rows[0] ? Number(rows[0].total) : 0 };
  }

  private readonly watchers: Array<() => void> = [];

  /**
   * Listens for new posts pushed to the operator's accounts (MTProto updates) where the
   * adapter can; the per-minute poll below stays on, since such events are known to stop.
   */
  async watchAccountChannels(onStored: (post: Post) => Promise<void>): Promise<void> {
    const rows = await this.sql.select<{ account_id: number }>(
      `SELECT DISTINCT c.account_id FROM commentator_telegram_channels c JOIN commentator_accounts a ON a.id = c.account_id
       WHERE c.route = 'account' AND a.status = 'active'`,
    );
    for (const { account_id } of rows) {
      const session = await this.sessions.session(Number(account_id)).catch(() => null);
      if (!session?.watchPosts) continue;
      this.watchers.push(
        session.watchPosts((p) => {
          void this.ingest({
            chatId: p.channelId,
            messageId: p.messageId,
            text: p.text,
            media: p.media,
            date: p.date,
          })
            .then((post) => (post ? onStored(post) : undefined))
            .catch(() => undefined);
        }),
      );
    }
  }

  stopWatching(): void {
    for (const stop of this.watchers.splice(0)) stop();
  }

  /**
   * The polling fallback for channels read by an account: gramjs users report that
   * new-channel-post events stop arriving, so every run asks for posts after the last seen id.
   */
  async pollAccountChannels(limitPerChannel = 20): Promise<Post[]> {
    const rows = await this.sql.select<any>(
      `SELECT c.* FROM commentator_telegram_channels c JOIN commentator_accounts a ON a.id = c.account_id
       WHERE c.route = 'account' AND a.status = 'active'`,
    );
    const stored: Post[] = [];
    for (const channel of rows.map(toChannel)) {
      const session = await this.sessions.session(channel.accountId);
      const posts = await session.readNewPosts(channel.chatId, channel.lastMessageId, limitPerChannel);
      for (const p of posts) {
        const post = await this.ingest({
          chatId: channel.chatId,
          messageId: p.messageId,
          text: p.text,
          media: p.media,
          date: p.date,
        });
        if (post) stored.push(post);
      }
    }
    return stored;
  }
}
