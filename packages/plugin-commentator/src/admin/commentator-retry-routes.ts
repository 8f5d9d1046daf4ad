import { type AdminState, parseBody, parseParams, serialIdParam } from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import type { CommentatorServices } from '../services/commentator-services.js';

const IdParams = z.object({ id: serialIdParam });
// `confirm: true` says the person checked the discussion: needed after an interrupted send.
const RetryBody = z.object({ confirm: z.boolean().optional() }).strict().optional();

/**
 * `POST /admin/api/commentator/drafts/:id/retry`: a person sends a failed comment again
 * (role admin, core enforces). Failed comments are listed by `GET /drafts?status=failed`,
 * with `failureReason` and `outcomeUnknown`.
 */
export function commentatorRetryRoutes(
  router: Router<AdminState>,
  services: () => CommentatorServices,
): void {
  router.post('/drafts/:id/retry', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const confirm = parseBody(ctx, RetryBody)?.confirm === true;
    const by = `admin:${ctx.state.admin?.name ?? 'unknown'}`;
    ctx.body = { draft: await services().scheduler.retryFailed(id, by, confirm) };
  });
}
