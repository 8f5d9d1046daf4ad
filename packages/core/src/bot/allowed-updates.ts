import { API_CONSTANTS } from 'grammy';
import type { Update } from 'grammy/types';

export type AllowedUpdate = Exclude<keyof Update, 'update_id'>;

/**
 * The update types the app asks Telegram for (getUpdates and setWebhook `allowed_updates`):
 * Telegram's default set plus `chat_member`, which Telegram sends only on request. Plugins
 * see people join and leave groups where the bot is an admin (invite links, education
 * groups). Message reactions stay off: nothing uses them, and they are frequent.
 */
export const BOT_ALLOWED_UPDATES: readonly AllowedUpdate[] = [
  ...API_CONSTANTS.DEFAULT_UPDATE_TYPES,
  'chat_member',
];
