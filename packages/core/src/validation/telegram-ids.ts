import { z } from 'zod';

/**
 * Telegram ids "have at most 52 significant bits" (Bot API docs), so every valid id is a safe
 * JavaScript integer and fits PostgreSQL's BIGINT. Anything larger is refused at the boundary:
 * `1e30` would overflow BIGINT (a 500) and `2 ** 62` would be stored rounded.
 */
export const MAX_TELEGRAM_ID = 2 ** 52 - 1;

const RANGE_MESSAGE = `must be an integer between 1 and ${MAX_TELEGRAM_ID} (a Telegram user id)`;
const CHAT_RANGE_MESSAGE = `must be a non-zero integer between -${MAX_TELEGRAM_ID} and ${MAX_TELEGRAM_ID} (a Telegram chat id)`;

/** A Telegram user id in a JSON body: a positive integer of at most 52 bits. */
export const telegramUserId = z
  .number({ invalid_type_error: 'must be a number (a Telegram user id)' })
  .int(RANGE_MESSAGE)
  .min(1, RANGE_MESSAGE)
  .max(MAX_TELEGRAM_ID, RANGE_MESSAGE);

/**
 * A Telegram chat id in a JSON body: a user's private chat (positive), a basic group
 * (negative) or a supergroup / channel (`-100…`), never 0, at most 52 bits.
 */
export const telegramChatId = z
  .number({ invalid_type_error: 'must be a number (a Telegram chat id)' })
  .int(CHAT_RANGE_MESSAGE)
  .min(-MAX_TELEGRAM_ID, CHAT_RANGE_MESSAGE)
  .max(MAX_TELEGRAM_ID, CHAT_RANGE_MESSAGE)
  .refine((id) => id !== 0, CHAT_RANGE_MESSAGE);

// Strict decimal forms: no '+', no leading zeros, no exponent, no hex, no spaces, at most 16 digits.
const USER_ID_TEXT = /^[1-9]\d{0,15}$/;
const CHAT_ID_TEXT = /^-?[1-9]\d{0,15}$/;

/** A Telegram user id in a path or query parameter (a string of decimal digits). */
export const telegramUserIdParam = z
  .string()
  .regex(USER_ID_TEXT, RANGE_MESSAGE)
  .transform(Number)
  .pipe(telegramUserId);

/** A Telegram chat id in a path or query parameter (decimal digits, optionally negative). */
export const telegramChatIdParam = z
  .string()
  .regex(CHAT_ID_TEXT, CHAT_RANGE_MESSAGE)
  .transform(Number)
  .pipe(telegramChatId);
