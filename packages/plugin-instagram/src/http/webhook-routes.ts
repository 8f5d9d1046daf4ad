import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Router from '@koa/router';
import { verifySignature } from '../services/signature.js';
import type { WebhookInbox } from '../services/webhook-inbox.js';

export interface WebhookSettings {
  appSecret: () => string | undefined;
  verifyToken: () => string | undefined;
  maxBytes: () => number;
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function isJson(raw: string): boolean {
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

/**
 * The body exactly as sent. Core's public body parser keeps the raw text of JSON and form
 * bodies (even one that does not parse); another content type is read here, up to `max`
 * bytes (null: larger).
 */
async function rawBodyOf(
  ctx: { request: unknown; req: IncomingMessage },
  max: number,
): Promise<string | null> {
  const kept = (ctx.request as unknown as { rawBody?: string }).rawBody;
  if (kept !== undefined) return kept;
  if (ctx.req.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `GET /p/instagram/webhook`: Meta's subscription check. `POST`: a signed delivery, stored
 * before the 200. Thin: the inbox does the work.
 */
export function setupWebhookRoutes(router: Router, inbox: () => WebhookInbox, settings: WebhookSettings) {
  router.get('/webhook', (ctx) => {
    const mode = ctx.query['hub.mode'];
    const token = ctx.query['hub.verify_token'];
    const challenge = ctx.query['hub.challenge'];
    const expected = settings.verifyToken();
    if (
      mode === 'subscribe' &&
      typeof token === 'string' &&
      typeof challenge === 'string' &&
      expected &&
      sameText(token, expected)
    ) {
      ctx.type = 'text/plain';
      ctx.body = challenge;
      return;
    }
    ctx.status = 403;
    ctx.body = { error: { code: 'INSTAGRAM_VERIFY_FAILED', message: 'Verification token does not match' } };
  });

  router.post('/webhook', async (ctx) => {
    const secret = settings.appSecret();
    if (!secret) {
      ctx.status = 503;
      ctx.body = { error: { code: 'INSTAGRAM_NOT_CONFIGURED', message: 'INSTAGRAM_APP_SECRET is not set' } };
      return;
    }
    const raw = await rawBodyOf(ctx, settings.maxBytes());
    if (raw === null || Buffer.byteLength(raw) > settings.maxBytes()) {
      ctx.status = 413;
      ctx.body = { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is too large' } };
      return;
    }
    // The signature first: an unsigned body is refused (401) whatever it contains.
    if (!verifySignature(secret, raw, ctx.get('x-hub-signature-256') || undefined)) {
      ctx.status = 401;
      ctx.body = {
        error: { code: 'INSTAGRAM_BAD_SIGNATURE', message: 'X-Hub-Signature-256 is missing or wrong' },
      };
      return;
    }
    if (!isJson(raw)) {
      ctx.status = 400;
      ctx.body = { error: { code: 'MALFORMED_JSON', message: 'Webhook body is not valid JSON' } };
      return;
    }
    await inbox().accept(raw);
    ctx.type = 'text/plain';
    ctx.body = 'EVENT_RECEIVED';
  });
}
