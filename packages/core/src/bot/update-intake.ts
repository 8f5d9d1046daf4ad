import type { Context, MiddlewareFn } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { payloadProblem } from './update-payload-check.js';
import { checkEnvelope, InvalidUpdateError } from './update-validation.js';

/** What intake does with one incoming update. */
export type IntakeVerdict =
  | { outcome: 'handle'; update: Update }
  /** A type of update this version does not know: acknowledged and dropped. */
  | { outcome: 'ignore'; updateId: number; type: string }
  /** Not a Telegram update: refused (webhook 400) or skipped (polling). */
  | { outcome: 'reject'; updateId?: number; type?: string; reason: string };

/**
 * The single gate every update passes before the pipeline, webhook and polling alike: the
 * envelope, then the payload fields handlers rely on. Pure: it logs nothing and throws nothing.
 */
export function inspectUpdate(raw: unknown): IntakeVerdict {
  const envelope = checkEnvelope(raw);
  if (envelope.kind === 'unknown-type') {
    return { outcome: 'ignore', updateId: envelope.updateId, type: envelope.type };
  }
  if (envelope.kind === 'malformed') {
    return { outcome: 'reject', updateId: envelope.updateId, reason: envelope.reason };
  }
  const { update, type } = envelope;
  const problem = payloadProblem(type, (update as unknown as Record<string, object>)[type]!);
  if (problem) return { outcome: 'reject', updateId: update.update_id, type, reason: problem };
  return { outcome: 'handle', update };
}

/** One log line per refused or ignored update: a warning for a refusal, debug for a new type. */
function logVerdict(logger: Logger, verdict: IntakeVerdict, source: 'webhook' | 'polling'): void {
  if (verdict.outcome === 'ignore') {
    logger.debug(
      { updateId: verdict.updateId, updateType: verdict.type, source },
      'update of an unknown type ignored',
    );
  } else if (verdict.outcome === 'reject') {
    logger.warn(
      { updateId: verdict.updateId, updateType: verdict.type, reason: verdict.reason, source },
      'malformed update rejected',
    );
  }
}

/**
 * Webhook intake: the update to handle, `undefined` for one to acknowledge and drop, or
 * `InvalidUpdateError` (answered 400) for one that is not a Telegram update.
 */
export function admitWebhookUpdate(raw: unknown, logger: Logger): Update | undefined {
  const verdict = inspectUpdate(raw);
  logVerdict(logger, verdict, 'webhook');
  if (verdict.outcome === 'reject') throw new InvalidUpdateError(verdict.reason);
  return verdict.outcome === 'handle' ? verdict.update : undefined;
}

/** Polling intake before the inbox: the update to store, or `undefined` (logged) to skip. */
export function admitPolledUpdate(raw: unknown, logger: Logger): Update | undefined {
  const verdict = inspectUpdate(raw);
  logVerdict(logger, verdict, 'polling');
  return verdict.outcome === 'handle' ? verdict.update : undefined;
}

/**
 * Polling intake, as the first middleware: updates fetched by getUpdates get the same checks
 * as webhook ones; refused and unknown ones end here (the offset still moves past them).
 * `alreadyAdmitted` skips updates that came through `admitWebhookUpdate`.
 */
export function pollingIntake<C extends Context>(
  logger: Logger,
  alreadyAdmitted: (update: Update) => boolean,
): MiddlewareFn<C> {
  return async (ctx, next) => {
    if (alreadyAdmitted(ctx.update)) return next();
    const verdict = inspectUpdate(ctx.update);
    logVerdict(logger, verdict, 'polling');
    if (verdict.outcome === 'handle') await next();
  };
}
