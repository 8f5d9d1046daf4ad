import { API_CONSTANTS } from 'grammy';
import type { Update } from 'grammy/types';

export type AllowedUpdate = Exclude<keyof Update, 'update_id'>;

/**
 * The update types the app asks Telegram for (getUpdates and setWebhook `allowed_updates`):
 * Telegram's default set plus the ones Telegram sends only on request. `chat_member`: plugins
 * see people join and leave groups where the bot is an admin (invite links, education
 * groups). `message_reaction` and `message_reaction_count`: people's reactions in chats where
 * the bot is an admin (the commentator counts them on its comments as engagement). Telegram
 * sends them only for those chats; the bot never reacts itself to produce them.
 */
export const BOT_ALLOWED_UPDATES: readonly AllowedUpdate[] = [
  ...API_CONSTANTS.DEFAULT_UPDATE_TYPES,
  'chat_member',
  'message_reaction',
  'message_reaction_count',
];
