import type { ResponseParameters } from 'grammy/types';

/**
 * An error the emulated Bot API answers with, in Telegram's shape:
 * `{ ok: false, error_code, description, parameters? }`.
 */
export class BotApiError extends Error {
  readonly errorCode: number;
  readonly description: string;
  readonly parameters?: ResponseParameters;

  constructor(errorCode: number, description: string, parameters?: ResponseParameters) {
    super(description);
    this.name = 'BotApiError';
    this.errorCode = errorCode;
    this.description = description;
    this.parameters = parameters;
  }

  toJSON() {
    return {
      ok: false as const,
      error_code: this.errorCode,
      description: this.description,
      ...(this.parameters ? { parameters: this.parameters } : {}),
    };
  }
}

/** 400 with Telegram's `Bad Request: ` prefix. */
export function badRequest(detail: string): BotApiError {
  return new BotApiError(400, `Bad Request: ${detail}`);
}

/** 403 with Telegram's `Forbidden: ` prefix. */
export function forbidden(detail: string): BotApiError {
  return new BotApiError(403, `Forbidden: ${detail}`);
}

export function tooManyRequests(retryAfterSeconds: number): BotApiError {
  return new BotApiError(429, `Too Many Requests: retry after ${retryAfterSeconds}`, {
    retry_after: retryAfterSeconds,
  });
}
