import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '@botloom/core';

/** Why a Send API call failed, from Meta's error envelope. */
export type GraphErrorKind =
  | 'outside_window'
  | 'rate_limited'
  | 'temporary'
  | 'bad_token'
  | 'invalid'
  | 'unknown';

/** A failed Graph API call, named by what the caller should do about it. */
export class GraphApiError extends Error {
  constructor(
    readonly kind: GraphErrorKind,
    message: string,
    readonly meta: { status: number; code?: number; subcode?: number; type?: string; fbtraceId?: string },
  ) {
    super(message);
    this.name = 'GraphApiError';
  }

  /** Worth trying again later: nothing about the request itself is wrong. */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'temporary';
  }
}

export class OutsideWindowError extends GraphApiError {}
export class RateLimitedError extends GraphApiError {}
export class TemporaryGraphError extends GraphApiError {}
export class BadTokenError extends GraphApiError {}

/** Maps Meta's `{ error: { message, type, code, error_subcode, fbtrace_id } }` to a named error. */
export function graphErrorFrom(status: number, body: unknown): GraphApiError {
  const error = (body as { error?: Record<string, unknown> } | null)?.error ?? {};
  const code = typeof error.code === 'number' ? error.code : undefined;
  const subcode = typeof error.error_subcode === 'number' ? error.error_subcode : undefined;
  const meta = {
    status,
    code,
    subcode,
    type: typeof error.type === 'string' ? error.type : undefined,
    fbtraceId: typeof error.fbtrace_id === 'string' ? error.fbtrace_id : undefined,
  };
  const message = typeof error.message === 'string' ? error.message : `Graph API answered ${status}`;
  if (code === 10 && subcode === 2018278) return new OutsideWindowError('outside_window', message, meta);
  if (code === 4 || code === 613 || code === 32 || status === 429)
    return new RateLimitedError('rate_limited', message, meta);
  if (code === 2 || code === 1 || status >= 500) return new TemporaryGraphError('temporary', message, meta);
  if (code === 190) return new BadTokenError('bad_token', message, meta);
  if (code !== undefined || status === 400) return new GraphApiError('invalid', message, meta);
  return new GraphApiError('unknown', message, meta);
}

export class InstagramNotFoundError extends NotFoundError {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, { code: 'INSTAGRAM_NOT_FOUND' });
  }
}

/** A reply the messaging window does not allow; `reason` says which rule refused it. */
export class MessagingWindowError extends ConflictError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message, { code: 'INSTAGRAM_OUTSIDE_WINDOW', details: { reason } });
  }
}

/**
 * An AI draft asked for from the panel while the customer's LLM budget (or the day's) is spent:
 * 409 with the scope and when it starts over, not a 500.
 */
export class InstagramLlmBudgetError extends ConflictError {
  constructor(refusal: { scope: string; resetsAt: Date }) {
    super(
      `The LLM budget (${refusal.scope}) for this customer is spent until ${refusal.resetsAt.toISOString()}`,
      {
        code: 'LLM_BUDGET_EXCEEDED',
        details: { scope: refusal.scope, resetsAt: refusal.resetsAt.toISOString() },
      },
    );
  }
}

export class InstagramInputError extends InvalidInputError {
  constructor(message: string, code = 'INSTAGRAM_INVALID_INPUT', details?: unknown) {
    super(message, { code, details });
  }
}

/** The thing is no longer in a state that allows this (a plan already run, rejected or done): 409. */
export class InstagramStateError extends ConflictError {
  constructor(message: string, code: string) {
    super(message, { code });
  }
}

export class InstagramNotConfiguredError extends UnavailableError {
  constructor(what: string) {
    super(`Instagram is not configured: ${what}`, { code: 'INSTAGRAM_NOT_CONFIGURED' });
  }
}
