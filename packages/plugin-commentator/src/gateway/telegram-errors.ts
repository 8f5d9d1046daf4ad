import { DomainError, type DomainErrorKind } from '@botloom/core';

/**
 * Telegram's answers that change what the plugin does, normalised from MTProto RPC errors
 * (gramjs) and Bot API errors alike. Each code has one HTTP kind, so an admin route that
 * meets one (a wrong login code) answers a clear 4xx without mapping.
 */
export type TelegramFailureCode =
  | 'FLOOD_WAIT'
  | 'SLOWMODE_WAIT'
  | 'PEER_FLOOD'
  | 'CHAT_GUEST_SEND_FORBIDDEN'
  | 'COMMENTS_CLOSED'
  | 'POST_NOT_FOUND'
  | 'PHONE_CODE_INVALID'
  | 'PHONE_CODE_EXPIRED'
  | 'PASSWORD_INVALID'
  | 'PHONE_NUMBER_INVALID'
  | 'SESSION_REVOKED'
  | 'NOT_CONFIGURED'
  | 'TELEGRAM_ERROR';

const KIND: Record<TelegramFailureCode, DomainErrorKind> = {
  FLOOD_WAIT: 'unavailable',
  SLOWMODE_WAIT: 'unavailable',
  PEER_FLOOD: 'unavailable',
  CHAT_GUEST_SEND_FORBIDDEN: 'conflict',
  COMMENTS_CLOSED: 'conflict',
  POST_NOT_FOUND: 'not_found',
  PHONE_CODE_INVALID: 'invalid_input',
  PHONE_CODE_EXPIRED: 'invalid_input',
  PASSWORD_INVALID: 'invalid_input',
  PHONE_NUMBER_INVALID: 'invalid_input',
  SESSION_REVOKED: 'conflict',
  NOT_CONFIGURED: 'unavailable',
  TELEGRAM_ERROR: 'unavailable',
};

/** Failures after which sending the same comment again cannot succeed. */
const PERMANENT = new Set<TelegramFailureCode>([
  'CHAT_GUEST_SEND_FORBIDDEN',
  'COMMENTS_CLOSED',
  'POST_NOT_FOUND',
]);

export class TelegramFailure extends DomainError {
  constructor(
    readonly failure: TelegramFailureCode,
    message: string,
    /** FLOOD_WAIT and SLOWMODE_WAIT: how long Telegram asks us to wait, in seconds. */
    readonly seconds?: number,
    options: { cause?: unknown } = {},
  ) {
    super(KIND[failure], failure, message, {
      cause: options.cause,
      details: seconds === undefined ? undefined : { seconds },
    });
  }

  get permanent(): boolean {
    return PERMANENT.has(this.failure);
  }
}

export function isTelegramFailure(error: unknown, code?: TelegramFailureCode): error is TelegramFailure {
  return error instanceof TelegramFailure && (code === undefined || error.failure === code);
}
