import { ConflictError, InvalidInputError, NotFoundError } from '@botloom/core';

/**
 * A group the bot cannot run a scenario in: gone (`EDU_GROUP_NOT_FOUND`), not a group
 * (`EDU_NOT_A_GROUP`), the bot is not an admin (`EDU_BOT_NOT_ADMIN`) or may not invite
 * (`EDU_NO_INVITE_RIGHTS`). HTTP 400 with the code, so the operator knows what to fix.
 */
export class EducationGroupUnusableError extends InvalidInputError {
  constructor(
    code: 'EDU_GROUP_NOT_FOUND' | 'EDU_NOT_A_GROUP' | 'EDU_BOT_NOT_ADMIN' | 'EDU_NO_INVITE_RIGHTS',
    message: string,
    readonly chatId: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, { code, details: { chatId }, cause: options.cause });
  }
}

export class EducationGroupExistsError extends ConflictError {
  constructor(chatId: number, status: string) {
    super(`Group ${chatId} is already registered (status: ${status})`, {
      code: 'EDU_GROUP_EXISTS',
      details: { chatId, status },
    });
  }
}

export class EducationGroupInUseError extends ConflictError {
  constructor(chatId: number, status: string) {
    super(`Group ${chatId} is in use (status: ${status}); it can be removed once it is free or finished`, {
      code: 'EDU_GROUP_IN_USE',
      details: { chatId, status },
    });
  }
}

export class EducationGroupNotFoundError extends NotFoundError {
  constructor(chatId: number) {
    super(`Group ${chatId} is not in the pool`, { code: 'EDU_GROUP_NOT_IN_POOL', details: { chatId } });
  }
}
