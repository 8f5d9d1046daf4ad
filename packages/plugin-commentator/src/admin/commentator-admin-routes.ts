import {
  type AdminState,
  canSeeContent,
  MAX_SERIAL_ID,
  parseBody,
  parseParams,
  parseQuery,
  serialIdParam,
  telegramChatId,
} from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import type { CommentatorServices } from '../services/commentator-services.js';
import { adminActor, VoiceGuide } from './admin-inputs.js';

const IdParams = z.object({ id: serialIdParam });
const rowId = z.coerce.number().int().min(1).max(MAX_SERIAL_ID);
const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_SERIAL_ID).default(0),
});
const PostsQuery = Paging.extend({ channel: serialIdParam.optional() });
const DraftsQuery = Paging.extend({
  status: z.enum(['pending', 'rejected', 'scheduled', 'sending', 'sent', 'failed']).optional(),
});
const ChannelBody = z
  .object({
    chatId: telegramChatId,
    route: z.enum(['bot', 'account']).default('bot'),
    accountId: rowId.optional(),
  })
  .strict();
const ChannelPatch = z
  .object({
    neverComment: z.boolean().optional(),
    autoApprove: z.boolean().optional(),
    dailyCap: z.number().int().min(1).max(50).nullable().optional(),
    accountId: rowId.optional(),
  })
  .strict();
const DraftPatch = z.object({ text: z.string().min(1).max(4000) }).strict();
const DecisionBody = z
  .object({
    draftId: rowId,
    decision: z.enum(['approve', 'reject', 'edit']),
    text: z.string().min(1).max(4000).optional(),
  })
  .strict();
const LoginCodeBody = z
  .object({
    accountId: rowId,
    code: z.string().regex(/^\d{4,8}$/, 'the digits of the login code'),
    password: z.string().min(1).max(256).optional(),
  })
  .strict();
// The body is optional: `POST /drafts/:id/approve` alone approves the text as it is.
const ApproveBody = z
  .object({ text: z.string().min(1).max(4000).optional() })
  .strict()
  .optional();
const AccountBody = z
  .object({ phone: z.string().min(5).max(32), label: z.string().trim().min(1).max(64) })
  .strict();
const CodeBody = z
  .object({
    code: z.string().regex(/^\d{4,8}$/, 'the digits of the login code'),
    password: z.string().min(1).max(256).optional(),
  })
  .strict();
const AccountPatch = z
  .object({
    label: z.string().trim().min(1).max(64).optional(),
    disclosureEnabled: z.boolean().optional(),
    disclosureText: z.string().trim().min(1).max(80).nullable().optional(),
    hourlyCap: z.number().int().min(1).max(20).nullable().optional(),
    dailyCap: z.number().int().min(1).max(100).nullable().optional(),
    active: z.literal(false).optional(),
    voice: VoiceGuide.optional(),
  })
  .strict();

/**
 * `/admin/api/commentator/...`. GET needs role viewer, changes need role admin (core
 * enforces); what people wrote to us (replies, direct messages) is shown to admins only.
 * No answer ever contains a phone number or a session string.
 */
export function commentatorAdminRoutes(
  router: Router<AdminState>,
  services: () => CommentatorServices,
): void {
  router.get('/channels', async (ctx) => {
    ctx.body = { items: await services().channels.list() };
  });
  router.post('/channels', async (ctx) => {
    const body = parseBody(ctx, ChannelBody);
    ctx.status = 201;
    ctx.body = { channel: await services().channels.register(body) };
  });
  router.patch('/channels/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = { channel: await services().channels.update(id, parseBody(ctx, ChannelPatch)) };
  });
  router.delete('/channels/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    await services().channels.remove(id);
    ctx.body = { id, deleted: true };
  });

  router.get('/posts', async (ctx) => {
    const { limit, offset, channel } = parseQuery(ctx, PostsQuery);
    if (channel !== undefined) await services().channels.get(channel);
    ctx.body = { ...(await services().channels.posts(channel, limit, offset)), limit, offset };
  });

  router.get('/drafts', async (ctx) => {
    const { limit, offset, status } = parseQuery(ctx, DraftsQuery);
    ctx.body = { ...(await services().scheduler.list(status, limit, offset)), limit, offset };
  });
  router.get('/drafts/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = { draft: await services().scheduler.get(id) };
  });
  router.patch('/drafts/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const { text } = parseBody(ctx, DraftPatch);
    const s = services();
    const draft = await s.scheduler.edit(id, text, adminActor(ctx));
    await s.review.refresh(id);
    ctx.body = { draft };
  });
  router.post('/drafts/:id/approve', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const text = parseBody(ctx, ApproveBody)?.text;
    const s = services();
    const draft = await s.scheduler.approve(id, adminActor(ctx), text);
    await s.review.refresh(id);
    ctx.body = { draft };
  });
  router.post('/drafts/:id/reject', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const s = services();
    const draft = await s.scheduler.reject(id, adminActor(ctx));
    await s.review.refresh(id);
    ctx.body = { draft };
  });

  // One POST per decision, for scripts (the panel uses the per-draft routes above).
  router.post('/decisions', async (ctx) => {
    const { draftId, decision, text } = parseBody(ctx, DecisionBody);
    const s = services();
    const draft =
      decision === 'approve'
        ? await s.scheduler.approve(draftId, adminActor(ctx), text)
        : decision === 'reject'
          ? await s.scheduler.reject(draftId, adminActor(ctx))
          : await s.scheduler.edit(draftId, text ?? '', adminActor(ctx));
    await s.review.refresh(draftId);
    ctx.body = { draft };
  });

  router.get('/comments', async (ctx) => {
    const { limit, offset } = parseQuery(ctx, Paging);
    ctx.body = { ...(await services().engagement.sent(limit, offset)), limit, offset };
  });
  router.get('/messages', async (ctx) => {
    const { limit, offset } = parseQuery(ctx, Paging);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      contentIncluded: withContent,
      ...(await services().inbox.list(limit, offset, withContent)),
      limit,
      offset,
    };
  });

  router.get('/accounts', async (ctx) => {
    ctx.body = { items: await services().accounts.list() };
  });
  router.post('/accounts', async (ctx) => {
    const body = parseBody(ctx, AccountBody);
    ctx.status = 201;
    ctx.body = { account: await services().accounts.startLogin(body) };
  });
  router.post('/accounts/:id/code', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = await services().accounts.finishLogin(id, parseBody(ctx, CodeBody));
  });
  router.post('/login-codes', async (ctx) => {
    const { accountId, ...input } = parseBody(ctx, LoginCodeBody);
    ctx.body = await services().accounts.finishLogin(accountId, input);
  });
  router.patch('/accounts/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = {
      account: await services().accounts.update(id, parseBody(ctx, AccountPatch), adminActor(ctx)),
    };
  });
  router.post('/accounts/:id/logout', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = { account: await services().accounts.logout(id) };
  });
  router.post('/accounts/:id/resume', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const s = services();
    await s.accounts.get(id);
    ctx.body = { resumed: await s.security.resume(id, adminActor(ctx)), account: await s.accounts.show(id) };
  });
  router.post('/accounts/:id/health', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = await services().accounts.health(id);
  });
  router.get('/accounts/:id/log', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const s = services();
    await s.accounts.get(id);
    ctx.body = { items: await s.security.log(id) };
  });

  router.get('/stats', async (ctx) => {
    ctx.body = await services().stats.stats();
  });
}
