import { API_CONSTANTS } from 'grammy';
import type { Update } from 'grammy/types';
import { BotloomError } from '../errors/botloom-error.js';

/** An incoming update that is not a Telegram update (wrong shape, impossible field values). */
export class InvalidUpdateError extends BotloomError {
  constructor(reason: string) {
    super('INVALID_UPDATE', `Rejected update: ${reason}`);
  }
}

const UPDATE_TYPES: ReadonlySet<string> = new Set(API_CONSTANTS.ALL_UPDATE_TYPES);

/** What the envelope of an incoming update says (its payload's fields are checked elsewhere). */
export type EnvelopeCheck =
  /** Exactly one payload of a known type, holding an object. */
  | { kind: 'known'; update: Update; type: string }
  /** Payload fields of types this grammY version does not know: a newer Bot API, not an attack. */
  | { kind: 'unknown-type'; updateId: number; type: string }
  | { kind: 'malformed'; updateId?: number; reason: string };

/**
 * Checks the envelope of an update: an object with a non-negative integer `update_id` and
 * exactly one payload field. A known payload must hold an object; payload fields that are all
 * of unknown types are a new kind of update (Telegram adds them), to be ignored rather than
 * refused, or Telegram would redeliver it for ever.
 */
export function checkEnvelope(raw: unknown): EnvelopeCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { kind: 'malformed', reason: 'not a JSON object' };
  }
  const record = raw as Record<string, unknown>;
  const id = record.update_id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return { kind: 'malformed', reason: 'update_id is missing or not a non-negative integer' };
  }
  const payloadKeys = Object.keys(record).filter((key) => key !== 'update_id');
  if (payloadKeys.length === 0) return { kind: 'malformed', updateId: id, reason: 'no payload field' };
  const known = payloadKeys.filter((key) => UPDATE_TYPES.has(key));
  if (known.length === 0) {
    return {
      kind: 'unknown-type',
      updateId: id,
      type: payloadKeys
        .slice(0, 3)
        .map((key) => key.slice(0, 64))
        .join(','),
    };
  }
  if (payloadKeys.length !== 1) {
    return {
      kind: 'malformed',
      updateId: id,
      reason: `expected exactly one payload field, got ${payloadKeys.length}`,
    };
  }
  const type = known[0]!;
  const payload = record[type];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { kind: 'malformed', updateId: id, reason: `payload of "${type}" is not an object` };
  }
  return { kind: 'known', update: raw as Update, type };
}

/** The update's type (`message`, `callback_query`, ...), for metrics and logs. */
export function updateType(update: Update): string {
  return Object.keys(update).find((key) => key !== 'update_id') ?? 'unknown';
}
