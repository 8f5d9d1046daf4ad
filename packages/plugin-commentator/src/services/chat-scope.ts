import {
  type CacheInvalidation,
  createCacheInvalidation,
  defineInvalidation,
  type Signals,
} from '@botloom/core';
import type { Logger } from 'pino';
import type { Sql } from './sql.js';

const SCOPE_CHANNEL = defineInvalidation('commentator.chats');

/** The repair for a missed signal: a chat added on another instance is known here within this. */
const RELOAD_EVERY_MS = 60_000;

/**
 * The chats whose updates can concern the commentator, held in memory: the monitored channels,
 * their discussion groups and the chats our comments were sent to (the review chat is checked
 * apart). Group messages, reactions and channel posts reach every plugin; with this set the
 * commentator drops those of other chats (a support group's replies, a stranger channel's
 * reactions) without a database read or write each.
 *
 * Before the first load every chat is in scope. A chat added here (a channel registered, a
 * discussion group learnt, a comment sent) is added at once and announced to the other
 * instances, which reload; a lost announcement is repaired by the periodic reload.
 */
export class CommentatorChatScope {
  private chats: Set<number> | null = null;
  /** Added since the last reload began: a reload running meanwhile keeps them. */
  private readonly pendingAdds = new Set<number>();
  private invalidation?: CacheInvalidation;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly sql: Sql,
    private readonly signals?: Signals,
    private readonly logger?: Logger,
  ) {}

  /** Loads the set and follows the other instances' changes (signals, and a reload each minute). */
  async start(): Promise<void> {
    await this.reload();
    if (this.invalidation || this.timer) return;
    if (this.signals) {
      this.invalidation = await createCacheInvalidation({
        signals: this.signals,
        channel: SCOPE_CHANNEL,
        reload: () => this.reload(),
        reloadEveryMs: RELOAD_EVERY_MS,
        logger: this.logger,
      });
      return;
    }
    this.timer = setInterval(() => {
      this.reload().catch((error) =>
        this.logger?.warn({ err: error }, 'commentator chat scope reload failed'),
      );
    }, RELOAD_EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.invalidation?.close();
    this.invalidation = undefined;
  }

  async reload(): Promise<void> {
    const rows = await this.sql.select<{ id: string }>(
      `SELECT chat_id AS id FROM commentator_telegram_channels
       UNION SELECT discussion_chat_id FROM commentator_telegram_channels WHERE discussion_chat_id IS NOT NULL
       UNION SELECT DISTINCT sent_chat_id FROM commentator_generated_comments WHERE sent_chat_id IS NOT NULL`,
    );
    const loaded = new Set(rows.map((r) => Number(r.id)));
    for (const id of this.pendingAdds) loaded.add(id);
    this.pendingAdds.clear();
    this.chats = loaded;
  }

  /** Whether updates of `chatId` may concern the commentator. */
  concerns(chatId: number): boolean {
    return this.chats === null || this.chats.has(chatId);
  }

  /** A chat now concerns the commentator (call after the change is committed). */
  async add(chatId: number | null | undefined): Promise<void> {
    if (chatId === null || chatId === undefined || this.chats?.has(chatId)) return;
    this.chats?.add(chatId);
    this.pendingAdds.add(chatId);
    await this.invalidation?.invalidate();
  }
}
