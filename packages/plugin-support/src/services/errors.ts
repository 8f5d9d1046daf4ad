import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '@botloom/core';

// Each support failure is one of core's named domain errors with its own stable code, so the
// HTTP layer answers it with the right status (404/409/400/503) and routes map nothing.

/** A request the support desk refuses (`MESSAGE_TOO_LONG`, `INVALID_RATING`, ...): HTTP 400. */
export class SupportError extends InvalidInputError {
  constructor(code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { ...options, code });
  }
}

export class TicketNotFoundError extends NotFoundError {
  constructor(id: number) {
    super(`No ticket #${id}`, { code: 'TICKET_NOT_FOUND' });
  }
}

export class KnowledgeNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`No knowledge item ${id}`, { code: 'KNOWLEDGE_NOT_FOUND' });
  }
}

/** A knowledge item that comes from a file: change the file, not the item. */
export class KnowledgeReadOnlyError extends ConflictError {
  constructor(id: string, filePath: string | null, action: 'edit' | 'delete') {
    super(`Item ${id} comes from ${filePath}: ${action} the file instead`, { code: 'KNOWLEDGE_READ_ONLY' });
  }
}

export class InvalidTransitionError extends ConflictError {
  constructor(from: string, to: string) {
    super(`A ticket cannot go from "${from}" to "${to}"`, {
      code: 'INVALID_TRANSITION',
      details: { from, to },
    });
  }
}

/** The manager group is not configured, does not exist, is not a forum or the bot lacks topic rights. */
export class ManagerGroupError extends UnavailableError {
  constructor(code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, { ...options, code });
  }
}
