import { type AdminState, canSeeContent, parseBody, parseParams, parseQuery } from '@botloom/core';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { formatOf } from '../script/script-file.js';
import type { StoredMessage } from '../services/conversation-store.js';
import type { SalesServices } from '../services/sales-services.js';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const ScriptParams = z.object({ id: Slug });
const VersionParams = z.object({ id: Slug, n: z.coerce.number().int().min(1).max(1_000_000) });
const ConversationParams = z.object({ id: z.string().uuid() });
const Definition = z.record(z.unknown());
const CreateBody = z.object({ id: Slug, definition: Definition }).strict();
const DraftBody = z.object({ definition: Definition }).strict();
const PublishBody = z.object({ changelog: z.string().max(2000).default('') }).strict();
const RollbackBody = z.object({ version: z.number().int().min(1).max(1_000_000) }).strict();
const ImportBody = z
  .object({ text: z.string().min(1).max(500_000), publish: z.boolean().default(false) })
  .strict();
const MessageBody = z.object({ text: z.string().trim().min(1).max(4000) }).strict();
const DiffQuery = z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });
const ExportQuery = z.object({
  format: z.enum(['yaml', 'json']).default('yaml'),
  draft: z.enum(['true', 'false']).default('false'),
});
const ConversationQuery = z.object({
  stage: z.string().max(63).optional(),
  strategy: z.enum(['script_80', 'free_20']).optional(),
  status: z.enum(['active', 'paused', 'ended']).optional(),
  script: Slug.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const authorOf = (ctx: Context & { state: AdminState }) => ctx.state.admin?.name ?? 'admin';

function metadataOnly(m: StoredMessage) {
  const { text: _text, analysis: _analysis, ...rest } = m;
  return rest;
}

/**
 * `/admin/api/sales/...`: scripts (drafts, versions, diff, publish, rollback, files),
 * conversations (transcripts with analysis for admins, takeover), stats. GET needs viewer,
 * the rest admin (core enforces); transcript text and analysis summaries are content (admins).
 */
export function salesAdminRoutes(router: Router<AdminState>, services: () => SalesServices): void {
  router.get('/scripts', async (ctx) => {
    ctx.body = { scripts: await services().scripts.list() };
  });
  router.post('/scripts', async (ctx) => {
    const body = parseBody(ctx, CreateBody);
    ctx.status = 201;
    ctx.body = { script: await services().scripts.create(body.id, body.definition, authorOf(ctx)) };
  });
  router.post('/scripts/import', async (ctx) => {
    const body = parseBody(ctx, ImportBody);
    ctx.body = await services().scripts.importFile(body.text, authorOf(ctx), { publish: body.publish });
  });
  router.get('/scripts/:id', async (ctx) => {
    const { id } = parseParams(ctx, ScriptParams);
    const detail = await services().scripts.detail(id);
    ctx.body = { ...detail, script: { ...detail.script, versions: detail.versions } };
  });
  router.get('/scripts/:id/export', async (ctx) => {
    const { id } = parseParams(ctx, ScriptParams);
    const q = parseQuery(ctx, ExportQuery);
    ctx.type = q.format === 'json' ? 'application/json' : 'application/yaml';
    ctx.body = await services().scripts.exportFile(id, formatOf(`x.${q.format}`), {
      draft: q.draft === 'true',
    });
  });
  router.put('/scripts/:id/draft', async (ctx) => {
    const { id } = parseParams(ctx, ScriptParams);
    const body = parseBody(ctx, DraftBody);
    ctx.body = { script: await services().scripts.saveDraft(id, body.definition, authorOf(ctx)) };
  });
  router.post('/scripts/:id/publish', async (ctx) => {
    const { id } = parseParams(ctx, ScriptParams);
    const body = parseBody(ctx, PublishBody.optional()) ?? { changelog: '' };
    ctx.status = 201;
    ctx.body = { version: await services().scripts.publish(id, authorOf(ctx), body.changelog) };
  });
  router.get('/scripts/:id/versions/:n', async (ctx) => {
    const { id, n } = parseParams(ctx, VersionParams);
    ctx.body = { version: await services().scripts.version(id, n) };
  });
  router.get('/scripts/:id/diff', async (ctx) => {
    const { id } = parseParams(ctx, ScriptParams);
    const q = parseQuery(ctx, DiffQuery);
    ctx.body = await services().scripts.diff(id, q.from, q.to);
  });
  router.post('/scripts/:id/rollback', async (ctx) => {
    const { id } = parseParams(ctx, ScriptParams);
    const body = parseBody(ctx, RollbackBody);
    ctx.status = 201;
    ctx.body = { version: await services().scripts.rollback(id, body.version, authorOf(ctx)) };
  });

  router.get('/conversations', async (ctx) => {
    const q = parseQuery(ctx, ConversationQuery);
    const list = await services().store.list(q);
    ctx.body = { conversations: list.items, total: list.total, limit: q.limit, offset: q.offset };
  });
  router.get('/conversations/:id', async (ctx) => {
    const { id } = parseParams(ctx, ConversationParams);
    const detail = await services().conversations.detail(id);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      conversation: detail.conversation,
      contentIncluded: withContent,
      messages: withContent ? detail.messages : detail.messages.map(metadataOnly),
      transitions: detail.transitions,
    };
  });
  router.post('/conversations/:id/takeover', async (ctx) => {
    const { id } = parseParams(ctx, ConversationParams);
    ctx.body = { conversation: await services().conversations.takeover(id, authorOf(ctx)) };
  });
  router.post('/conversations/:id/resume', async (ctx) => {
    const { id } = parseParams(ctx, ConversationParams);
    ctx.body = { conversation: await services().conversations.resume(id) };
  });
  router.post('/conversations/:id/messages', async (ctx) => {
    const { id } = parseParams(ctx, ConversationParams);
    const body = parseBody(ctx, MessageBody);
    ctx.status = 201;
    ctx.body = { message: await services().conversations.operatorMessage(id, authorOf(ctx), body.text) };
  });

  router.get('/stats', async (ctx) => {
    const q = parseQuery(ctx, z.object({ script: Slug.optional() }));
    ctx.body = await services().stats.stats(q.script);
  });
}
