import { BotloomError } from '../errors/botloom-error.js';

/** A control API request that cannot be done (unknown user, user not in the chat, ...). */
export class SandboxControlError extends BotloomError {
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(code, message);
    this.status = status;
  }
}
