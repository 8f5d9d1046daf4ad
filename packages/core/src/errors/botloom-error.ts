/**
 * Base class of every error Botloom raises on purpose. `code` is stable and machine-readable
 * (used in JSON error bodies, logs and tests); `message` is for developers, never shown to
 * Telegram users as is.
 */
export class BotloomError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** A boot-time failure (manifest, dependency graph, configuration, migrations). */
export class BootError extends BotloomError {}

/** A service was resolved from the container but nobody registered it. */
export class MissingServiceError extends BotloomError {
  constructor(tokenName: string, requestedBy?: string) {
    super(
      'MISSING_SERVICE',
      `No service is registered for token "${tokenName}"${requestedBy ? ` (requested by ${requestedBy})` : ''}`,
    );
  }
}
