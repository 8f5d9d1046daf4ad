import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { CustomerKeyboards, TelegramMessageRef } from '../services/ports.js';

/** The part of a keyv namespace this adapter uses. */
export interface KeyboardStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** Older keyboards than these are left as they are: a press on them is still refused as stale. */
const KEEP_MS = 30 * 24 * 3600 * 1000;
const KEEP_PER_CUSTOMER = 10;

/**
 * Remembers the customer's bot chat messages with ticket buttons in the plugin's KV (shared by
 * instances) and removes their buttons with editMessageReplyMarkup.
 */
export class KvCustomerKeyboards implements CustomerKeyboards {
  constructor(
    private readonly store: () => KeyboardStore,
    private readonly api: () => Api,
    private readonly logger: Logger,
  ) {}

  private key(customerId: number) {
    return `keyboards:${customerId}`;
  }

  async remember(customerId: number, message: TelegramMessageRef): Promise<void> {
    const list = ((await this.store().get(this.key(customerId))) as TelegramMessageRef[] | undefined) ?? [];
    list.push(message);
    await this.store().set(this.key(customerId), list.slice(-KEEP_PER_CUSTOMER), KEEP_MS);
  }

  async retireAll(customerId: number): Promise<void> {
    const list = (await this.store().get(this.key(customerId))) as TelegramMessageRef[] | undefined;
    if (!list?.length) return;
    await this.store().delete(this.key(customerId));
    for (const m of list) {
      await this.api()
        .editMessageReplyMarkup(m.chatId, m.messageId, { reply_markup: undefined })
        .catch((err) => this.logger.debug({ err, message: m.messageId }, 'old buttons not removed'));
    }
  }
}
