import { createRequire } from 'node:module';
import pino, { type Logger, type LoggerOptions } from 'pino';
import type prettyModule from 'pino-pretty';
import { serializeError } from './error-serializer.js';
import { chooseLogFormat, type LogFormat } from './log-format.js';

/**
 * Field paths whose values never reach the log. pino redaction matches exact paths with `*`
 * for one level, so the common shapes are listed at the top level and one or two levels deep.
 */
const SECRET_KEYS = [
  'token',
  'botToken',
  'accessToken',
  'refreshToken',
  'password',
  'passwd',
  'secret',
  'apiKey',
  'api_key',
  'privateKey',
  'authorization',
  'Authorization',
  'cookie',
  'TELEGRAM_BOT_TOKEN',
  'OPENAI_API_KEY',
  'ENCRYPTION_KEY',
  'WEBHOOK_SECRET',
  'BOTLOOM_ADMIN_TOKEN',
  'S3_SECRET_ACCESS_KEY',
  'x-telegram-bot-api-secret-token',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'request.headers.authorization',
];

export interface CreateLoggerOptions {
  level?: string;
  /** Human-readable output; default: stdout is a TTY and NODE_ENV is not production. */
  pretty?: boolean;
  /** LOG_FORMAT; `pretty` (above) wins when both are given. */
  format?: LogFormat;
  production?: boolean;
  /**
   * Pretty output only: show warnings and above until `endQuietBoot(logger)`, so that a
   * person at a terminal sees problems and then the app's banner, not every boot step.
   */
  quietBoot?: boolean;
  /** Known secret values (bot token, API keys) scrubbed from messages and error stacks. */
  secrets?: Array<string | undefined>;
  /** Where to write; default stdout. */
  destination?: pino.DestinationStream;
  /** Also write every line at `info` and above here (the admin panel's log buffer). */
  tee?: pino.DestinationStream;
}

/** Replaces every known secret value inside a string with `[redacted]`. */
export function createScrubber(secrets: Array<string | undefined>): (text: string) => string {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join('[redacted]');
    return out;
  };
}

const WARN_LEVEL = 40;

/** Loggers created with `quietBoot`: whether they still hold back lines below warn. */
const quietBoots = new WeakMap<Logger, { quiet: boolean }>();

/** Shows every line at the logger's level from now on (call it after printing the banner). */
export function endQuietBoot(logger: Logger): void {
  const gate = quietBoots.get(logger);
  if (gate) gate.quiet = false;
}

/** Short lines: time, level, message and the few fields that remain; no pid or hostname. */
function prettyStream() {
  // Loaded only for a terminal (or LOG_FORMAT=pretty): JSON logs, the production default, skip it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof prettyModule;
  return pretty({
    colorize: true,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,component,module',
  });
}

/** The root pino logger of an app. Plugins get `logger.child({ plugin: id })`. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const scrub = createScrubber(options.secrets ?? []);
  const usePretty =
    options.pretty ??
    chooseLogFormat({
      requested: options.format,
      isTTY: Boolean(process.stdout.isTTY),
      production: Boolean(options.production),
    }) === 'pretty';
  const gate = { quiet: Boolean(options.quietBoot && usePretty) };
  const loggerOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Errors lose live driver objects, query text and bound values (see error-serializer.ts).
    serializers: { err: (err: Error) => serializeError(err, scrub) },
    hooks: {
      logMethod(args, method, level) {
        if (gate.quiet && level < WARN_LEVEL) return;
        const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>;
        method.apply(this, scrubbed);
      },
    },
  };
  let logger: Logger;
  if (!options.tee) {
    if (options.destination) logger = pino(loggerOptions, options.destination);
    else if (usePretty) logger = pino(loggerOptions, prettyStream());
    else logger = pino(loggerOptions);
  } else {
    const main: pino.DestinationStream =
      options.destination ?? (usePretty ? prettyStream() : pino.destination(1));
    logger = pino(
      loggerOptions,
      pino.multistream([
        { level: 'trace', stream: main },
        { level: 'info', stream: options.tee },
      ]),
    );
  }
  quietBoots.set(logger, gate);
  return logger;
}

/** The logger a plugin receives: every line carries `plugin: <id>`. */
export function pluginLogger(root: Logger, pluginId: string): Logger {
  return root.child({ plugin: pluginId });
}
