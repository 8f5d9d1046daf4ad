import { randomBytes, randomInt } from 'node:crypto';

/** A bot token in Telegram's format `<bot id>:<35 characters>`. */
export function generateBotToken(botId = randomInt(1_000_000_000, 8_000_000_000)): string {
  return `${botId}:${randomBytes(27).toString('base64url').slice(0, 35)}`;
}

/** The bot's user id is the numeric part of its token. */
export function botIdFromToken(token: string): number {
  const id = Number(token.split(':')[0]);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error('A bot token looks like "123456:ABC..."');
  return id;
}

export function randomId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

/** Numeric-looking string ids, as Telegram uses for callback and inline queries. */
export function randomNumericId(): string {
  return `${randomInt(1, 2 ** 31)}${randomInt(100_000_000, 999_999_999)}`;
}
