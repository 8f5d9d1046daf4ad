import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '@botloom/core';

// Each sales failure is one of core's named domain errors with its own stable code, so the
// HTTP layer answers it with the right status and routes map nothing.

export interface ScriptIssue {
  /** Where in the script, as a dotted path (`stages.2.transitions.0.to`). */
  path: string;
  message: string;
}

/** A script the schema or the graph checks refuse: HTTP 400 with every issue and its path. */
export class ScriptInvalidError extends InvalidInputError {
  readonly issues: ScriptIssue[];
  constructor(issues: ScriptIssue[]) {
    const first = issues[0];
    super(`The script is invalid${first ? ` at ${first.path || '(root)'}: ${first.message}` : ''}`, {
      code: 'SCRIPT_INVALID',
      details: { issues },
    });
    this.issues = issues;
  }
}

export class SalesInputError extends InvalidInputError {
  constructor(code: string, message: string, details?: unknown) {
    super(message, { code, details });
  }
}

export class ScriptNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`No script ${id}`, { code: 'SCRIPT_NOT_FOUND' });
  }
}

export class ScriptVersionNotFoundError extends NotFoundError {
  constructor(id: string, version: number) {
    super(`Script ${id} has no published version ${version}`, { code: 'SCRIPT_VERSION_NOT_FOUND' });
  }
}

export class ScriptNotPublishedError extends ConflictError {
  constructor(id: string) {
    super(`Script ${id} has no published version`, { code: 'SCRIPT_NOT_PUBLISHED' });
  }
}

export class ScriptExistsError extends ConflictError {
  constructor(id: string) {
    super(`Script ${id} already exists`, { code: 'SCRIPT_EXISTS' });
  }
}

export class ConversationNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`No conversation ${id}`, { code: 'CONVERSATION_NOT_FOUND' });
  }
}

export class ConversationStateError extends ConflictError {
  constructor(code: string, message: string) {
    super(message, { code });
  }
}

export class SalesUnavailableError extends UnavailableError {
  constructor(code: string, message: string) {
    super(message, { code });
  }
}
