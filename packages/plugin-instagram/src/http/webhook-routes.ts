import { timingSafeEqual } from 'node:crypto';
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
    const raw = (ctx.request as unknown as { rawBody?: string }).rawBody ?? '';
    if (Buffer.byteLength(raw) > settings.maxBytes()) {
      ctx.status = 413;
      ctx.body = { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Webhook body is too large' } };
      return;
    }
    if (!verifySignature(secret, raw, ctx.get('x-hub-signature-256') || undefined)) {
      ctx.status = 401;
      ctx.body = {
        error: { code: 'INSTAGRAM_BAD_SIGNATURE', message: 'X-Hub-Signature-256 is missing or wrong' },
      };
      return;
    }
    await inbox().accept(raw);
    ctx.type = 'text/plain';
    ctx.body = 'EVENT_RECEIVED';
  });
}
