import { describe, expect, it } from 'vitest';
import { floodControlFromSettings } from '../src/bot/flood-settings.js';
import { CoreConfigSchema } from '../src/config/core-config.js';

const flood = CoreConfigSchema.pick({
  TELEGRAM_FLOOD_GLOBAL_PER_SECOND: true,
  TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: true,
  TELEGRAM_FLOOD_GROUP_PER_MINUTE: true,
});

describe('flood control settings', () => {
  it("default to Telegram's limits", () => {
    expect(floodControlFromSettings(flood.parse({}))).toEqual({
      globalPerSecond: 30,
      perChatIntervalMs: 1000,
      groupPerMinute: 20,
    });
  });

  it('take higher paid limits from the environment', () => {
    const settings = flood.parse({
      TELEGRAM_FLOOD_GLOBAL_PER_SECOND: '1000',
      TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: '4',
      TELEGRAM_FLOOD_GROUP_PER_MINUTE: '60',
    });
    expect(floodControlFromSettings(settings)).toEqual({
      globalPerSecond: 1000,
      perChatIntervalMs: 250,
      groupPerMinute: 60,
    });
  });

  it('refuse zero, negative and non-numeric limits', () => {
    expect(flood.safeParse({ TELEGRAM_FLOOD_GLOBAL_PER_SECOND: '0' }).success).toBe(false);
    expect(flood.safeParse({ TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: '-1' }).success).toBe(false);
    expect(flood.safeParse({ TELEGRAM_FLOOD_GROUP_PER_MINUTE: 'many' }).success).toBe(false);
  });
});
