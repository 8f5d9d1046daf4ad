import { API_CONSTANTS } from 'grammy';
import type { Update } from 'grammy/types';
import { BotloomError } from '../errors/botloom-error.js';

/** An incoming update that is not a Telegram update (wrong shape, unknown type). */
export class InvalidUpdateError extends BotloomError {
  constructor(reason: string) {
    super('INVALID_UPDATE', `Rejected update: ${reason}`);
  }
}

const UPDATE_TYPES: ReadonlySet<string> = new Set(API_CONSTANTS.ALL_UPDATE_TYPES);

/**
 * Checks the envelope of an update: an object with a non-negative integer `update_id` and
 * exactly one payload field of a known update type holding an object. The payload's inner
 * fields are Telegram's business; grammY's filters cope with missing optional ones.
 */
export function parseUpdate(raw: unknown): Update {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidUpdateError('not a JSON object');
  }
  const record = raw as Record<string, unknown>;
  const id = record.update_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw new InvalidUpdateError('update_id is missing or not a non-negative integer');
  }
  const payloadKeys = Object.keys(record).filter((key) => key !== 'update_id');
  if (payloadKeys.length !== 1) {
    throw new InvalidUpdateError(`expected exactly one payload field, got ${payloadKeys.length}`);
  }
  const type = payloadKeys[0]!;
  if (!UPDATE_TYPES.has(type)) throw new InvalidUpdateError(`unknown update type "${type.slice(0, 64)}"`);
  const payload = record[type];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new InvalidUpdateError(`payload of "${type}" is not an object`);
  }
  return raw as Update;
}

/** The update's type (`message`, `callback_query`, ...), for metrics and logs. */
export function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown';
}
