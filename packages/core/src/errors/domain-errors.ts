import { BotloomError } from './botloom-error.js';

/**
 * What went wrong, in the domain's words. The HTTP layer turns each kind into one status
 * (`http/http-error.ts`), so services never mention HTTP and routes never map errors.
 */
export type DomainErrorKind = 'not_found' | 'conflict' | 'invalid_input' | 'forbidden' | 'unavailable';

export interface DomainErrorOptions {
  /** A specific stable code (`TICKET_NOT_FOUND`); without it the kind's default (`NOT_FOUND`). */
  code?: string;
  /** Sent to the client in the JSON error body: never put secrets or internals in it. */
  details?: unknown;
  cause?: unknown;
}

/**
 * A failure a service raises on purpose, classified by `kind`. Throw one of the named
 * subclasses below; extend this class directly only when one error class carries several
 * kinds (its kind then follows from its code). `message` reaches API clients as is.
 */
export class DomainError extends BotloomError {
  readonly kind: DomainErrorKind;

  constructor(
    kind: DomainErrorKind,
    code: string,
    message: string,
    options: { cause?: unknown; details?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause, details: options.details });
    this.kind = kind;
  }
}

/** The thing asked for does not exist (or is not visible to the caller). HTTP 404. */
export class NotFoundError extends DomainError {
  constructor(message: string, options: DomainErrorOptions = {}) {
    super('not_found', options.code ?? 'NOT_FOUND', message, options);
  }
}

/** The request clashes with the current state (already running, read-only, wrong transition). HTTP 409. */
export class ConflictError extends DomainError {
  constructor(message: string, options: DomainErrorOptions = {}) {
    super('conflict', options.code ?? 'CONFLICT', message, options);
  }
}

/** The input breaks a domain rule that schema validation cannot see. HTTP 400. */
export class InvalidInputError extends DomainError {
  constructor(message: string, options: DomainErrorOptions = {}) {
    super('invalid_input', options.code ?? 'INVALID_INPUT', message, options);
  }
}

/** The caller is known but may not do this. HTTP 403. */
export class ForbiddenError extends DomainError {
  constructor(message: string, options: DomainErrorOptions = {}) {
    super('forbidden', options.code ?? 'FORBIDDEN', message, options);
  }
}

/** A dependency the operation needs is missing or down; retrying later may work. HTTP 503. */
export class UnavailableError extends DomainError {
  constructor(message: string, options: DomainErrorOptions = {}) {
    super('unavailable', options.code ?? 'UNAVAILABLE', message, options);
  }
}
