import { z } from 'zod';
import { roleSatisfies } from '../http/admin-tokens.js';
import { HttpError } from '../http/http-error.js';
import type { AdminRouteGroup, RouteSetup } from '../http/server.js';
import { parseQuery } from '../http/validation.js';
import type { DeadUpdate, UpdateInbox } from './update-inbox.js';

/** Telegram update ids are non-negative and fit a safe integer (and PostgreSQL's bigint). */
const UpdateId = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    /** Page on: only updates with a smaller update_id (the `nextBefore` of the previous page). */
    before: UpdateId.optional(),
  })
  .strict();

function parseUpdateId(raw: string | undefined): number {
  if (!raw || !/^\d{1,16}$/.test(raw)) {
    throw HttpError.badRequest('The id must be an update_id (a non-negative integer)', 'INVALID_ID');
  }
  const parsed = UpdateId.safeParse(raw);
  if (!parsed.success) {
    throw HttpError.badRequest('The id must be an update_id (a non-negative integer)', 'INVALID_ID');
  }
  return parsed.data;
}

/** Viewers get metadata; the update and the error text (which may quote user data) are for admins. */
function forViewer(item: DeadUpdate): Omit<DeadUpdate, 'update' | 'error'> {
  const { update: _update, error: _error, ...metadata } = item;
  return metadata;
}

/**
 * Admin API of the update inbox, mounted at `/admin/api/core/updates`:
 * - `GET /dead?limit=&before=` — dead-lettered updates, newest first (viewer: metadata only);
 * - `POST /dead/:id/retry` — puts a dead update (by update_id) back in line (role admin).
 */
export function setupInboxAdminRoutes(
  { router, requireRole }: RouteSetup,
  deps: { inbox: UpdateInbox; wake(): void },
): void {
  router.get('/dead', async (ctx) => {
    const query = parseQuery(ctx, ListQuery);
    const items = await deps.inbox.listDead({ limit: query.limit, before: query.before });
    const admin = ctx.state.admin && roleSatisfies(ctx.state.admin.role, 'admin');
    ctx.body = {
      items: admin ? items : items.map(forViewer),
      nextBefore: items.length === query.limit ? items.at(-1)!.updateId : null,
    };
  });

  router.post('/dead/:id/retry', requireRole('admin'), async (ctx) => {
    const updateId = parseUpdateId(ctx.params.id);
    if (!(await deps.inbox.retryDead(updateId))) {
      throw HttpError.notFound('No dead-lettered update with this id', 'UPDATE_NOT_FOUND');
    }
    deps.wake();
    ctx.status = 202;
    ctx.body = { updateId, status: 'pending' };
  });
}

export function inboxAdminRoutes(deps: { inbox: UpdateInbox; wake(): void }): AdminRouteGroup {
  return { owner: 'core/updates', setup: (setup) => setupInboxAdminRoutes(setup, deps) };
}
