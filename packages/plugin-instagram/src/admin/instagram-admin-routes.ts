import {
  canSeeContent,
  LlmBudgetExceededError,
  parseBody,
  parseQuery,
  requireContentAccess,
} from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import {
  InstagramInputError,
  InstagramLlmBudgetError,
  InstagramNotFoundError,
  MessagingWindowError,
} from '../services/errors.js';
import type { InstagramServices } from '../services/instagram-services.js';
import { offlineAnalysis } from '../services/message-analysis.js';
import { decideWindow } from '../services/messaging-window.js';
import { parseRuleBody, ruleView } from '../services/rule-form.js';
import { HANDOFF_REASON_TEXT } from './admin-pages.js';

const Page = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  status: z.enum(['active', 'handoff', 'closed']).optional(),
});

const ReplyBody = z
  .object({
    text: z.string().trim().min(1).max(8000).optional(),
    attachment: z
      .object({ type: z.enum(['image', 'video', 'audio', 'file']), url: z.string().url() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => b.text || b.attachment, { message: 'text or attachment is required' });

const AiReplyBody = z
  .object({ send: z.boolean().default(false), instructions: z.string().max(2000).optional() })
  .strict();

type Ctx = Parameters<typeof canSeeContent>[0];

/** Core's rule: viewers get metadata, admins also what people wrote. */
export function messagesFor<T extends { text: string | null }>(ctx: Ctx, messages: T[]) {
  return canSeeContent(ctx) ? messages : messages.map((m) => ({ ...m, text: null }));
}

const who = (ctx: { state: { admin?: { name?: string } } }) => ctx.state.admin?.name ?? 'admin';

/** Conversations, replies, rules and search under /admin/api/instagram. */
export function setupInstagramAdminRoutes(router: Router, services: () => InstagramServices) {
  const conversation = async (id: string) => {
    const found = await services().store.get(id);
    if (!found) throw new InstagramNotFoundError('Conversation', id);
    return found;
  };
  const view = (c: Awaited<ReturnType<typeof conversation>>, ctx: Ctx) => {
    const s = services();
    const at = s.now();
    const bot = decideWindow('bot', c.lastUserMessageAt, at, s.config);
    const human = decideWindow('human', c.lastUserMessageAt, at, s.config);
    const content = canSeeContent(ctx);
    return {
      ...c,
      summary: content ? c.summary : null,
      context: content ? c.context : {},
      contentIncluded: content,
      handoffNote: c.status === 'handoff' && c.handoffReason ? HANDOFF_REASON_TEXT[c.handoffReason] : null,
      window: {
        lastUserMessageAt: c.lastUserMessageAt,
        bot: bot.allowed ? 'open' : bot.reason,
        human: human.allowed ? (human.options.tag ? 'human_agent_tag' : 'open') : human.reason,
      },
    };
  };

  router.get('/status', async (ctx) => {
    const s = services();
    ctx.body = {
      configured: {
        appSecret: Boolean(s.config.appSecret),
        verifyToken: Boolean(s.config.verifyToken),
        accountId: Boolean(s.config.accountId),
        accessToken: await s.credentials.status(),
      },
      apiRoot: s.config.apiRoot,
      apiVersion: s.config.apiVersion,
      deliveries: await s.inbox.stats(),
    };
  });

  router.put('/account/token', async (ctx) => {
    const body = parseBody(ctx, z.object({ accessToken: z.string().min(10).max(2000).nullable() }).strict());
    await services().credentials.setAccessToken(body.accessToken, who(ctx));
    ctx.body = { accessToken: await services().credentials.status() };
  });

  router.get('/conversations', async (ctx) => {
    const q = parseQuery(ctx, Page);
    const page = await services().store.list(q);
    ctx.body = { items: page.items.map((c) => view(c, ctx)), total: page.total };
  });

  router.get('/conversations/:id', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    ctx.body = {
      conversation: view(c, ctx),
      messages: messagesFor(ctx, await services().store.history(c.id, 50)),
    };
  });

  router.get('/conversations/:id/context', async (ctx) => {
    requireContentAccess(ctx);
    const c = await conversation(ctx.params.id!);
    ctx.body = {
      context: c.context,
      summary: c.summary,
      sentiment: c.sentiment,
      tags: c.tags,
      status: c.status,
    };
  });

  router.put('/conversations/:id/context', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    const body = parseBody(ctx, z.object({ context: z.record(z.unknown()) }).strict());
    if (JSON.stringify(body.context).length > 32_000)
      throw new InstagramInputError('context is larger than 32 kB');
    await services().store.setContext(c.id, body.context);
    ctx.body = { context: body.context };
  });

  router.get('/conversations/:id/history', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    const { limit } = parseQuery(
      ctx,
      z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
    );
    ctx.body = { messages: messagesFor(ctx, await services().store.history(c.id, limit)) };
  });

  router.get('/conversations/:id/outbox', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    ctx.body = {
      items: messagesFor(ctx, await services().outbox.list({ conversationId: c.id, limit: 100 })),
    };
  });

  /** A person's reply: HUMAN_AGENT after 24 hours, refused after 7 days (409 with the reason). */
  router.post('/conversations/:id/reply', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    const body = parseBody(ctx, ReplyBody);
    const entry = await services().outbox.enqueue({
      conversation: c,
      author: 'human',
      authorName: who(ctx),
      text: body.text,
      attachment: body.attachment,
      source: 'admin',
    });
    if (entry.status === 'refused')
      throw new MessagingWindowError(entry.errorCode ?? 'outside_window', entry.errorMessage ?? '');
    ctx.status = 202;
    ctx.body = { outbox: entry };
  });

  /** Drafts an AI reply; `send: true` sends it as the bot, only inside the 24-hour window. */
  router.post('/conversations/:id/ai-reply', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    const body = parseBody(ctx, AiReplyBody);
    const s = services();
    const draft = await s.writer
      .draft(c, await s.store.history(c.id, 12), body.instructions)
      .catch((error: unknown) => {
        throw error instanceof LlmBudgetExceededError ? new InstagramLlmBudgetError(error) : error;
      });
    if (!body.send) {
      ctx.body = { draft };
      return;
    }
    const entry = await s.outbox.enqueue({
      conversation: c,
      author: 'bot',
      text: draft.text,
      source: 'ai-draft',
    });
    if (entry.status === 'refused')
      throw new MessagingWindowError(entry.errorCode ?? 'outside_window', entry.errorMessage ?? '');
    ctx.status = 202;
    ctx.body = { draft, outbox: entry };
  });

  router.post('/conversations/:id/handoff', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    await services().store.setStatus(c.id, 'handoff', 'operator');
    ctx.body = { conversation: view((await services().store.get(c.id))!, ctx) };
  });

  router.post('/conversations/:id/hand-back', async (ctx) => {
    const c = await conversation(ctx.params.id!);
    await services().store.setStatus(c.id, 'active');
    ctx.body = { conversation: view((await services().store.get(c.id))!, ctx) };
  });

  router.post('/outbox/:id/retry', async (ctx) => {
    const entry = /^[0-9a-f-]{36}$/i.test(ctx.params.id!)
      ? await services().outbox.retry(ctx.params.id!)
      : undefined;
    if (!entry) throw new InstagramNotFoundError('Failed outbox entry', ctx.params.id!);
    ctx.body = { outbox: entry };
  });

  router.get('/agent/rules', async (ctx) => {
    ctx.body = { items: (await services().rules.list()).map(ruleView) };
  });
  router.get('/agent/rules/:id', async (ctx) => {
    ctx.body = { rule: ruleView(await services().rules.get(ctx.params.id!)) };
  });
  router.post('/agent/rules', async (ctx) => {
    const rule = parseRuleBody(parseBody(ctx, z.unknown()));
    ctx.status = 201;
    ctx.body = { rule: ruleView(await services().rules.create(rule)) };
  });
  router.put('/agent/rules/:id', async (ctx) => {
    const rule = parseRuleBody(parseBody(ctx, z.unknown()));
    ctx.body = { rule: ruleView(await services().rules.update(ctx.params.id!, rule)) };
  });
  router.delete('/agent/rules/:id', async (ctx) => {
    await services().rules.remove(ctx.params.id!);
    ctx.status = 204;
  });

  router.get('/search', async (ctx) => {
    requireContentAccess(ctx);
    const q = parseQuery(
      ctx,
      z.object({
        q: z.string().trim().min(1).max(200),
        limit: z.coerce.number().int().min(1).max(100).default(20),
      }),
    );
    ctx.body = { items: await services().store.search(q.q, q.limit) };
  });

  router.post('/ai/analyze-sentiment', async (ctx) => {
    const { text } = parseBody(ctx, z.object({ text: z.string().min(1).max(4000) }).strict());
    const a = await services().analysis.analyze(text);
    ctx.body = { sentiment: a.sentiment, confidence: a.confidence, source: a.source };
  });

  router.post('/ai/extract-intent', async (ctx) => {
    const { text } = parseBody(ctx, z.object({ text: z.string().min(1).max(4000) }).strict());
    const a = await services().analysis.analyze(text);
    ctx.body = { intent: a.intent, confidence: a.confidence, source: a.source };
  });

  router.post('/ai/offline-analysis', async (ctx) => {
    const { text } = parseBody(ctx, z.object({ text: z.string().min(1).max(4000) }).strict());
    ctx.body = offlineAnalysis(text);
  });
}
