import { BotloomError } from '@botloom/core';

/** A failure of the support desk with a stable code (`TICKET_NOT_FOUND`, `INVALID_TRANSITION`, ...). */
export class SupportError extends BotloomError {}

export class InvalidTransitionError extends SupportError {
  constructor(from: string, to: string) {
    super('INVALID_TRANSITION', `A ticket cannot go from "${from}" to "${to}"`, { details: { from, to } });
  }
}

/** The manager group is not configured, does not exist, is not a forum or the bot lacks topic rights. */
export class ManagerGroupError extends SupportError {}
