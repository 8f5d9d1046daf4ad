import { readFileSync } from 'node:fs';
import { parseBody, parseQuery } from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import type { InstagramServices } from '../services/instagram-services.js';
import { decideWindow } from '../services/messaging-window.js';
import { signBody } from '../services/signature.js';
import { messageItem, newMid, webhookEnvelope } from '../testing/webhook-sender.js';
import type { InstagramSandbox } from './instagram-sandbox.js';

const PUBLIC = new URL('../../public/', import.meta.url);
const asset = (name: string) => readFileSync(new URL(name, PUBLIC), 'utf8');

const Igsid = z.string().regex(/^\d{1,20}$/, 'digits only');

/**
 * The Instagram DM playground at /p/instagram/playground (sandbox mode only): a person writes
 * as an Instagram user; the message goes to the real webhook, signed as Meta would, and the
 * agent's replies are read back from the local Graph API stand-in.
 */
export function setupPlaygroundRoutes(
  router: Router,
  deps: { services: () => InstagramServices; sandbox: InstagramSandbox; selfUrl: () => string },
) {
  router.get('/playground', (ctx) => {
    ctx.type = 'text/html';
    ctx.body = asset('playground.html');
  });
  router.get('/playground/app.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = asset('playground.js');
  });

  router.post('/playground/send', async (ctx) => {
    const body = parseBody(
      ctx,
      z
        .object({
          igsid: Igsid,
          text: z.string().trim().min(1).max(2000),
          hoursAgo: z
            .number()
            .min(0)
            .max(24 * 30)
            .default(0),
        })
        .strict(),
    );
    const { graph, appSecret } = deps.sandbox;
    const mid = newMid();
    const at = new Date(Date.now() - body.hoursAgo * 3600_000);
    const raw = JSON.stringify(
      webhookEnvelope(graph.accountId, [messageItem(graph.accountId, body.igsid, body.text, { mid, at })]),
    );
    const res = await fetch(`${deps.selfUrl()}/p/instagram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(appSecret, raw) },
      body: raw,
    });
    ctx.body = { mid, webhookStatus: res.status };
  });

  router.get('/playground/thread', async (ctx) => {
    const { igsid } = parseQuery(ctx, z.object({ igsid: Igsid }));
    const s = deps.services();
    const conversation = await s.store.byThread(igsid);
    if (!conversation) {
      ctx.body = { conversation: null, messages: [], decisions: [], outbox: [] };
      return;
    }
    const messages = await s.store.history(conversation.id, 100);
    const decisions = await s.store.decisions(conversation.id, 50);
    const outbox = await s.outbox.list({ conversationId: conversation.id, limit: 50 });
    const now = s.now();
    ctx.body = {
      conversation: {
        id: conversation.id,
        status: conversation.status,
        tags: conversation.tags,
        lastUserMessageAt: conversation.lastUserMessageAt,
      },
      window: {
        bot: decideWindow('bot', conversation.lastUserMessageAt, now, s.config),
        human: decideWindow('human', conversation.lastUserMessageAt, now, s.config),
      },
      messages: messages.map((m) => ({
        direction: m.direction,
        senderType: m.senderType,
        text: m.text,
        intent: m.intent,
        sentiment: m.sentiment,
        tag: m.metadata.tag ?? null,
        at: m.createdAt,
      })),
      decisions,
      outbox: outbox.map((o) => ({
        status: o.status,
        author: o.author,
        errorCode: o.errorCode,
        errorMessage: o.errorMessage,
        tag: o.tag,
      })),
    };
  });
}
