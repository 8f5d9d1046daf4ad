import { timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { InvalidUpdateError } from '../bot/update-validation.js';
import { BootError } from '../errors/botloom-error.js';
import { HttpError } from './http-error.js';
import { byteLimit, parseStrictJson, readBody } from './json-body.js';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookReceiver {
  /** Value Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (setWebhook's `secret_token`). */
  secret?: string;
  /**
   * Takes one update. Resolve once the update is stored durably (the update inbox) or ignored
   * as an unknown type, not after the bot finished replying: Telegram waits for the HTTP
   * answer, and does not send an update again after a 200. `InvalidUpdateError` answers 400 (not
   * an update); an HttpError rejection answers its status; any other one 500, so
   * Telegram delivers the update again.
   */
  handle(update: unknown): Promise<void>;
}

// Telegram's secret_token is 1-256 characters of A-Z, a-z, 0-9, _ and -.
const MAX_SECRET_BYTES = 256;

/**
 * Compares the header with the secret in constant time: both are written into zero-padded
 * buffers of the secret's maximum size, so the time depends neither on where they differ nor
 * on the secret's length (a SHA-256 of each request's header did the same at several times
 * the cost, on every update).
 */
function secretMatcher(secret: string): (received: string) => boolean {
  const size = Math.max(MAX_SECRET_BYTES, Buffer.byteLength(secret, 'utf8'));
  const expected = Buffer.alloc(size);
  const expectedLength = expected.write(secret, 'utf8');
  const scratch = Buffer.alloc(size); // synchronous use only: one shared buffer
  return (received) => {
    scratch.fill(0);
    const written = scratch.write(received, 'utf8');
    const fits = Buffer.byteLength(received, 'utf8') <= size;
    // Both comparisons always run (no short-circuit on the first).
    const same = timingSafeEqual(scratch, expected);
    return same && fits && written === expectedLength;
  };
}

function isUpdate(value: unknown): value is { update_id: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Number.isSafeInteger((value as { update_id?: unknown }).update_id)
  );
}

/**
 * `POST /telegram/webhook`: checks the secret header before reading the body, parses the JSON
 * update within `bodyLimit`, hands it over and answers 200.
 */
export function telegramWebhookHandler(
  receiver: WebhookReceiver,
  options: { bodyLimit: string | number; isAccepting(): boolean },
): Middleware {
  const secret = receiver.secret;
  if (!secret) {
    throw new BootError(
      'WEBHOOK_SECRET_MISSING',
      'Webhook mode needs a secret token: set WEBHOOK_SECRET (1-256 characters of A-Z, a-z, 0-9, _ and -)',
    );
  }
  const matches = secretMatcher(secret);
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: options.bodyLimit, jsonStrict: true });
  const limit = byteLimit(options.bodyLimit);
  return async (ctx) => {
    const received = ctx.get(TELEGRAM_SECRET_HEADER);
    if (!received || !matches(received)) {
      throw new HttpError(401, 'INVALID_WEBHOOK_SECRET', 'Missing or wrong X-Telegram-Bot-Api-Secret-Token');
    }
    if (!options.isAccepting()) {
      // Telegram retries later; the update is not lost.
      throw new HttpError(503, 'NOT_READY', 'Not accepting updates right now', {
        headers: { 'Retry-After': '5' },
      });
    }
    if (!ctx.is('application/json')) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Updates must be sent as application/json');
    }
    let update: unknown;
    const encoding = ctx.req.headers['content-encoding'];
    if (limit !== undefined && (encoding === undefined || encoding === 'identity')) {
      // What Telegram sends: read and parsed directly (the same answers, a fraction of the CPU).
      update = parseStrictJson(await readBody(ctx.req, limit));
    } else {
      await parse(ctx, async () => {});
      update = (ctx.request as { body?: unknown }).body;
    }
    if (!isUpdate(update)) {
      throw new HttpError(
        400,
        'MALFORMED_UPDATE',
        'The body is not a Telegram update (no integer update_id)',
      );
    }
    try {
      await receiver.handle(update);
    } catch (error) {
      if (error instanceof InvalidUpdateError) throw new HttpError(400, 'MALFORMED_UPDATE', error.message);
      throw error;
    }
    ctx.status = 200;
    ctx.body = { ok: true };
  };
}
