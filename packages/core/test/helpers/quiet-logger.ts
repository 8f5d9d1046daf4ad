import pino, { type Logger } from 'pino';

/** A logger for tests: silent unless BOTLOOM_TEST_LOGS=1 (then debug to stdout). */
export function quietLogger(): Logger {
  return process.env.BOTLOOM_TEST_LOGS === '1' ? pino({ level: 'debug' }) : pino({ level: 'silent' });
}
