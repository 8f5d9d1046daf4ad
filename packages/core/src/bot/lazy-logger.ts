import type { Logger } from 'pino';

/** A logger, or how to make it on first use. */
export type LoggerSlot = Logger | (() => Logger);

const SLOT = Symbol('botloom.logger');

interface WithSlot {
  [SLOT]?: LoggerSlot;
  logger: Logger;
}

/**
 * `ctx.logger` made on first use: a pino child per update (and per plugin) costs even when
 * nothing is logged, and most updates log nothing. Reading `ctx.logger` makes it once.
 */
export function setLoggerSlot(ctx: object, slot: LoggerSlot): void {
  const target = ctx as WithSlot;
  if (!(SLOT in target)) {
    Object.defineProperty(target, 'logger', {
      configurable: true,
      enumerable: true,
      get(this: WithSlot) {
        const value = this[SLOT]!;
        if (typeof value !== 'function') return value;
        const made = value();
        this[SLOT] = made;
        return made;
      },
      set(this: WithSlot, value: Logger) {
        this[SLOT] = value;
      },
    });
  }
  target[SLOT] = slot;
}

/** What `ctx.logger` holds now, without making it (to put it back later). */
export function loggerSlotOf(ctx: object): LoggerSlot {
  const target = ctx as WithSlot;
  return SLOT in target ? target[SLOT]! : target.logger;
}
