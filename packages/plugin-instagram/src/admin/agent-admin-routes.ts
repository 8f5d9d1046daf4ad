import { parseBody, parseQuery } from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import { InstagramInputError, InstagramNotFoundError } from '../services/errors.js';
import type { InstagramServices } from '../services/instagram-services.js';
import { messagesFor } from './instagram-admin-routes.js';

const Range = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});

const who = (ctx: { state: { admin?: { name?: string } } }) => ctx.state.admin?.name ?? 'admin';
/**
 * Whose LLM budget an admin's own AI call spends (core budgets are per user): the admin's, as
 * `admin:<token or user name>`, the actor name other plugins record. Customer-bound calls (the
 * panel's draft for a conversation) spend the customer's instead.
 */
const budgetUser = (ctx: { state: { admin?: { name?: string } } }) => `admin:${who(ctx)}`;

/** AI, agent plans, analytics, users, segments, experiments and knowledge under /admin/api/instagram. */
export function setupAgentAdminRoutes(
  router: Router,
  services: () => InstagramServices,
  llmModels: () => { model: string; fastModel?: string },
) {
  const range = (q: z.output<typeof Range>) => {
    const to = q.to ?? services().now();
    const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from > to) throw new InstagramInputError('from is after to');
    return { from, to };
  };

  router.post('/ai/chat-completion', async (ctx) => {
    const body = parseBody(
      ctx,
      z
        .object({
          messages: z
            .array(
              z
                .object({
                  role: z.enum(['system', 'user', 'assistant']),
                  content: z.string().min(1).max(8000),
                })
                .strict(),
            )
            .min(1)
            .max(50),
          fast: z.boolean().default(false),
        })
        .strict(),
    );
    const result = await services().llm.chat({
      purpose: 'instagram.chat',
      user: budgetUser(ctx),
      messages: body.messages,
      fast: body.fast,
    });
    ctx.body = { content: result.content, model: result.model, usage: result.usage, offline: result.offline };
  });

  router.get('/ai/models', (ctx) => {
    const models = llmModels();
    ctx.body = {
      offline: services().llm.offline,
      model: models.model,
      fastModel: models.fastModel ?? models.model,
    };
  });

  router.get('/analytics/conversations', async (ctx) => {
    ctx.body = await services().analytics.conversations(range(parseQuery(ctx, Range)));
  });
  router.get('/analytics/users', async (ctx) => {
    ctx.body = await services().analytics.users(range(parseQuery(ctx, Range)));
  });
  router.get('/analytics/conversions', async (ctx) => {
    const q = parseQuery(ctx, Range.extend({ kind: z.enum(['rule', 'plan']).optional() }));
    const report = await services().analytics.conversions(range(q));
    // `performance`: rules and plans in one list for the panel's page, filtered by `kind`.
    const performance = [...report.rules, ...report.plans].filter((row) => !q.kind || row.kind === q.kind);
    ctx.body = { ...report, performance };
  });
  router.get('/agent/performance', async (ctx) => {
    ctx.body = await services().analytics.performance(range(parseQuery(ctx, Range)));
  });

  router.get('/agent/plans', async (ctx) => {
    ctx.body = { items: await services().plans.list() };
  });
  router.post('/agent/plans', async (ctx) => {
    const body = parseBody(
      ctx,
      z
        .object({
          goal: z.string().trim().min(3).max(2000),
          constraints: z.array(z.string().max(500)).max(20).default([]),
        })
        .strict(),
    );
    ctx.status = 201;
    ctx.body = { plan: await services().plans.draft(body.goal, body.constraints, who(ctx), budgetUser(ctx)) };
  });
  router.get('/agent/plans/:id', async (ctx) => {
    ctx.body = { plan: await services().plans.get(ctx.params.id!) };
  });
  router.get('/agent/plans/:id/status', async (ctx) => {
    const plan = await services().plans.get(ctx.params.id!);
    ctx.body = { id: plan.id, status: plan.status, progress: plan.progress, report: plan.report };
  });
  router.put('/agent/plans/:id/steps', async (ctx) => {
    const body = parseBody(ctx, z.object({ steps: z.array(z.unknown()) }).strict());
    ctx.body = { plan: await services().plans.edit(ctx.params.id!, body.steps) };
  });
  router.post('/agent/plans/:id/execute', async (ctx) => {
    ctx.body = { plan: await services().plans.execute(ctx.params.id!, who(ctx)) };
  });
  router.post('/agent/plans/:id/cancel', async (ctx) => {
    ctx.body = { plan: await services().plans.cancel(ctx.params.id!) };
  });

  router.get('/agent/tasks/active', async (ctx) => {
    const s = services();
    ctx.body = {
      plans: (await s.plans.list()).filter((p) => p.status === 'running'),
      outbox: messagesFor(ctx, await s.outbox.list({ status: 'queued', limit: 200 })),
    };
  });

  /** A follow-up message to one conversation later: sent only if the window still allows it then. */
  router.post('/agent/schedule', async (ctx) => {
    const body = parseBody(
      ctx,
      z
        .object({
          conversationId: z.string().uuid(),
          text: z.string().trim().min(1).max(2000),
          delayMinutes: z
            .number()
            .int()
            .min(1)
            .max(23 * 60),
        })
        .strict(),
    );
    const s = services();
    const conversation = await s.store.get(body.conversationId);
    if (!conversation) throw new InstagramNotFoundError('Conversation', body.conversationId);
    ctx.status = 202;
    ctx.body = { scheduled: await s.followUps.schedule(conversation.id, body.text, body.delayMinutes * 60) };
  });

  router.get('/users', async (ctx) => {
    const q = parseQuery(
      ctx,
      z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
        segment: z.string().max(100).optional(),
        cluster: z.string().max(100).optional(),
      }),
    );
    ctx.body = await services().users.list(q.limit, q.offset, { segment: q.segment, cluster: q.cluster });
  });
  router.get('/users/segments', async (ctx) => {
    const { kind } = parseQuery(ctx, z.object({ kind: z.enum(['rule', 'cluster']).optional() }));
    ctx.body = { items: await services().users.segments(kind) };
  });
  router.post('/users/clusters', async (ctx) => {
    ctx.body = await services().clusters.recompute(parseBody(ctx, z.unknown()));
  });
  router.post('/users/segment', async (ctx) => {
    ctx.body = await services().users.applySegment(segmentInput(parseBody(ctx, z.unknown())));
  });
  router.get('/users/:igsid/profile', async (ctx) => {
    ctx.body = { user: await services().users.profile(ctx.params.igsid!) };
  });
  router.put('/users/:id/preferences', async (ctx) => {
    const body = parseBody(ctx, z.object({ preferences: z.record(z.unknown()) }).strict());
    ctx.body = { user: await services().users.setPreferences(ctx.params.id!, body.preferences) };
  });
  router.get('/users/:id/conversation-history', async (ctx) => {
    const { limit } = parseQuery(
      ctx,
      z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    );
    const conversationId = await services().users.conversationOf(ctx.params.id!);
    ctx.body = {
      conversationId: conversationId ?? null,
      messages: conversationId ? await services().store.history(conversationId, limit) : [],
    };
  });
  router.delete('/users/:igsid', async (ctx) => {
    if (!(await services().users.erase(ctx.params.igsid!)))
      throw new InstagramNotFoundError('Instagram user', ctx.params.igsid!);
    ctx.status = 204;
  });

  router.get('/experiments', async (ctx) => {
    ctx.body = { items: await services().experiments.list() };
  });
  router.post('/experiments', async (ctx) => {
    ctx.status = 201;
    ctx.body = {
      experiment: await services().experiments.create(experimentInput(parseBody(ctx, z.unknown()))),
    };
  });
  router.get('/experiments/:id', async (ctx) => {
    ctx.body = { experiment: await services().experiments.get(ctx.params.id!) };
  });
  router.get('/experiments/:id/results', async (ctx) => {
    ctx.body = await services().experiments.results(ctx.params.id!);
  });
  router.post('/experiments/:id/stop', async (ctx) => {
    const body = parseBody(ctx, z.object({ promote: z.string().max(32).optional() }).strict());
    ctx.body = { experiment: await services().experiments.stop(ctx.params.id!, body.promote) };
  });
  router.delete('/experiments/:id', async (ctx) => {
    await services().experiments.remove(ctx.params.id!);
    ctx.status = 204;
  });

  router.put('/knowledge/:key', async (ctx) => {
    const key = knowledgeKey(ctx.params.key);
    const body = parseBody(ctx, z.object({ text: z.string().trim().min(1).max(20_000) }).strict());
    await services().ownKnowledge.add(key, body.text);
    ctx.body = { key };
  });
  router.delete('/knowledge/:key', async (ctx) => {
    await services().ownKnowledge.remove(knowledgeKey(ctx.params.key));
    ctx.status = 204;
  });
}

/** A knowledge entry's key from the path; one that could never have been stored is a 400. */
function knowledgeKey(raw: string | undefined): string {
  const key = z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/)
    .safeParse(raw);
  if (!key.success) throw new InstagramInputError('key: lowercase letters, digits, _ and -, up to 64');
  return key.data;
}

/** The panel's flat form (variantA, variantB) as the API's shape; API bodies pass unchanged. */
function experimentInput(body: unknown): unknown {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || !('variantA' in b)) return body;
  const { variantA, variantB, ...rest } = b;
  return {
    ...rest,
    variants: [
      { key: 'a', text: variantA },
      { key: 'b', text: variantB },
    ],
  };
}

/** The panel's flat segment form as `{ name, criteria }`; API bodies pass unchanged. */
function segmentInput(body: unknown): unknown {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || 'criteria' in b) return body;
  const { name, ...criteria } = b;
  const kept = Object.fromEntries(
    Object.entries(criteria).filter(([, v]) => v !== '' && v !== null && v !== undefined),
  );
  return { name, criteria: kept };
}
