import { ConflictError, InvalidInputError, NotFoundError } from '@botloom/core';

// Each commentator failure is one of core's named domain errors with a stable code, so the
// HTTP layer answers it with the right status and routes map nothing.

export class ChannelNotFoundError extends NotFoundError {
  constructor(what: string) {
    super(`Channel ${what} not found`, { code: 'CHANNEL_NOT_FOUND' });
  }
}

export class CommentatorNotFoundError extends NotFoundError {
  constructor(kind: 'post' | 'draft' | 'account', id: number) {
    super(`No ${kind} ${id}`, { code: `${kind.toUpperCase()}_NOT_FOUND` });
  }
}

/** A transition the current state does not allow (approve a sent comment, edit an approved one). */
export class CommentatorStateError extends ConflictError {}

export class CommentatorInputError extends InvalidInputError {
  constructor(code: string, message: string) {
    super(message, { code });
  }
}
