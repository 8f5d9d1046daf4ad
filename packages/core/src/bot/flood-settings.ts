import type { FloodControlOptions } from './outgoing-api.js';

export interface FloodControlSettings {
  TELEGRAM_FLOOD_GLOBAL_PER_SECOND: number;
  TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: number;
  TELEGRAM_FLOOD_GROUP_PER_MINUTE: number;
}

/** Outgoing flood control from the core settings (used when createApp gets no `floodControl` option). */
export function floodControlFromSettings(settings: FloodControlSettings): FloodControlOptions {
  return {
    globalPerSecond: settings.TELEGRAM_FLOOD_GLOBAL_PER_SECOND,
    perChatIntervalMs: 1000 / settings.TELEGRAM_FLOOD_PER_CHAT_PER_SECOND,
    groupPerMinute: settings.TELEGRAM_FLOOD_GROUP_PER_MINUTE,
  };
}
