import {
  type AdminState,
  canSeeContent,
  HttpError,
  MAX_SERIAL_ID,
  NotFoundError,
  parseBody,
  parseParams,
  parseQuery,
  telegramUserIdParam,
} from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import type { MemoryServices } from '../services/memory-services.js';

// Memory keys its data by the Telegram user id as text (String(ctx.from.id)).
const UserParams = z.object({ userId: telegramUserIdParam.transform(String) });
const SessionParams = z.object({ sessionId: z.string().uuid() });
const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_SERIAL_ID).default(0),
});
const UserFilter = z.object({ userId: telegramUserIdParam.transform(String).optional() });
const SessionsQuery = Paging.merge(UserFilter);
const MemoriesQuery = Paging.merge(UserFilter).extend({ kind: z.enum(['summary', 'fact']).optional() });
const LimitBody = z
  .object({
    scope: z.enum(['memory', 'global']).default('memory'),
    dailyTokens: z.number().int().min(0).max(1_000_000_000).nullable(),
  })
  .strict();

/**
 * `/admin/api/memory/...`. GET needs role viewer (metadata only), content (titles, summaries,
 * messages, memories) is returned to role admin only, by core's rule (`canSeeContent`);
 * changes need role admin (core enforces).
 */
export function memoryAdminRoutes(router: Router<AdminState>, services: () => MemoryServices): void {
  router.get('/users', async (ctx) => {
    const { limit, offset } = parseQuery(ctx, Paging);
    ctx.body = { ...(await services().admin.users(limit, offset)), limit, offset };
  });

  router.get('/users/:userId/sessions', async (ctx) => {
    const { userId } = parseParams(ctx, UserParams);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      userId,
      contentIncluded: withContent,
      items: await services().admin.userSessions(userId, withContent),
    };
  });

  router.get('/users/:userId/memories', async (ctx) => {
    const { userId } = parseParams(ctx, UserParams);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      userId,
      contentIncluded: withContent,
      items: await services().admin.userMemories(userId, withContent),
    };
  });

  /** Sessions of every user (`?userId=` for one), latest activity first: the panel's Sessions page. */
  router.get('/sessions', async (ctx) => {
    const q = parseQuery(ctx, SessionsQuery);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      contentIncluded: withContent,
      ...(await services().admin.recentSessions(q, withContent)),
      limit: q.limit,
      offset: q.offset,
    };
  });

  /** Memories of every user (`?userId=`, `?kind=`), newest first: the panel's Memories page. */
  router.get('/memories', async (ctx) => {
    const q = parseQuery(ctx, MemoriesQuery);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      contentIncluded: withContent,
      ...(await services().admin.recentMemories(q, withContent)),
      limit: q.limit,
      offset: q.offset,
    };
  });

  router.get('/sessions/:sessionId/messages', async (ctx) => {
    const { sessionId } = parseParams(ctx, SessionParams);
    const withContent = canSeeContent(ctx);
    const result = await services().admin.sessionMessages(sessionId, withContent);
    if (!result) throw new NotFoundError('Session not found', { code: 'SESSION_NOT_FOUND' });
    ctx.body = { contentIncluded: withContent, ...result };
  });

  router.get('/users/:userId/limits', async (ctx) => {
    const { userId } = parseParams(ctx, UserParams);
    const s = services();
    const limits = await s.admin.limits(userId);
    if (limits === null) throw usageUnavailable();
    ctx.body = { userId, overrides: limits, today: await s.llm.budget(userId) };
  });

  router.put('/users/:userId/limits', async (ctx) => {
    const { userId } = parseParams(ctx, UserParams);
    const body = parseBody(ctx, LimitBody);
    const s = services();
    if (!(await s.admin.setLimit(userId, body.scope, body.dailyTokens))) throw usageUnavailable();
    ctx.body = { userId, overrides: await s.admin.limits(userId), today: await s.llm.budget(userId) };
  });

  router.get('/stats', async (ctx) => {
    ctx.body = await services().admin.stats();
  });

  router.delete('/users/:userId', async (ctx) => {
    const { userId } = parseParams(ctx, UserParams);
    ctx.body = { userId, deleted: await services().userData.delete(userId) };
  });
}

function usageUnavailable(): HttpError {
  return new HttpError(
    501,
    'USAGE_UNAVAILABLE',
    'This core does not expose the LLM usage service (Tokens.LlmUsage)',
  );
}
