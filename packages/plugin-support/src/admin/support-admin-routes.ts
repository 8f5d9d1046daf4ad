import type { AdminState } from '@botloom/core';
import { HttpError, parseBody, parseParams, parseQuery } from '@botloom/core';
import type { Router } from '@koa/router';
import { z } from 'zod';
import { SupportError } from '../services/errors.js';
import type { KnowledgeService } from '../services/knowledge-service.js';
import type { ManagerGroupHealth } from '../services/manager-group-health.js';
import type { ManagerService } from '../services/manager-service.js';
import type { StatsService } from '../services/stats-service.js';
import type { TicketClosing } from '../services/ticket-closing.js';
import type { Ticket, TicketService } from '../services/ticket-service.js';
import { firstResponseSeconds, resolutionSeconds, TICKET_STATUSES } from '../services/ticket-state.js';

export interface SupportAdminDeps {
  tickets: () => TicketService;
  knowledge: () => KnowledgeService;
  managers: () => ManagerService;
  stats: () => StatsService;
  closing: () => TicketClosing;
  groupHealth: () => ManagerGroupHealth;
  syncKnowledge: () => Promise<unknown>;
  status: () => Promise<Record<string, unknown>>;
}

const IdParams = z.object({ id: z.coerce.number().int().positive() });
const UuidParams = z.object({ id: z.string().uuid() });
const TicketQuery = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  customerId: z.coerce.number().int().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const KnowledgeCreate = z.object({
  title: z.string().trim().min(1).max(200),
  content: z.string().trim().min(1).max(200_000),
});
const KnowledgeUpdate = KnowledgeCreate.partial().refine(
  (v) => v.title !== undefined || v.content !== undefined,
  {
    message: 'Give a title or content',
  },
);
const ManagerCreate = z.object({ userId: z.number().int(), name: z.string().trim().min(1).max(100) });
const StatsQuery = z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() });

function ticketJson(t: Ticket) {
  return { ...t, firstResponseSeconds: firstResponseSeconds(t), resolutionSeconds: resolutionSeconds(t) };
}

function mapSupportError(err: unknown): never {
  if (err instanceof SupportError) {
    if (err.code.endsWith('NOT_FOUND')) throw new HttpError(404, err.code, err.message);
    if (err.code === 'KNOWLEDGE_READ_ONLY' || err.code === 'INVALID_TRANSITION')
      throw new HttpError(409, err.code, err.message);
    throw new HttpError(400, err.code, err.message);
  }
  throw err;
}

/** The admin API under /admin/api/support. */
export function setupSupportAdminRoutes(router: Router<AdminState>, deps: SupportAdminDeps): void {
  router.get('/status', async (ctx) => {
    ctx.body = await deps.status();
  });
  /** Re-checks the manager group now (after fixing its settings or the bot's rights). */
  router.post('/status/check', async (ctx) => {
    await deps.groupHealth().check();
    ctx.body = await deps.status();
  });

  // ---- tickets -----------------------------------------------------------------------------
  router.get('/tickets', async (ctx) => {
    const q = parseQuery(ctx, TicketQuery);
    const { tickets, total } = await deps.tickets().list(q);
    ctx.body = { tickets: tickets.map(ticketJson), total, limit: q.limit, offset: q.offset };
  });
  router.get('/tickets/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const ticket = await deps.tickets().get(id);
    if (!ticket) throw HttpError.notFound(`No ticket #${id}`, 'TICKET_NOT_FOUND');
    const [messages, events] = await Promise.all([deps.tickets().messages(id), deps.tickets().events(id)]);
    ctx.body = { ticket: ticketJson(ticket), messages, events };
  });
  router.post('/tickets/:id/close', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const closed = await deps.closing().close(id, 'system', null).catch(mapSupportError);
    ctx.body = { ticket: ticketJson(closed) };
  });

  // ---- knowledge ---------------------------------------------------------------------------
  router.get('/knowledge', async (ctx) => {
    const items = await deps.knowledge().list();
    ctx.body = {
      items: items.map(({ content, ...rest }) => ({
        ...rest,
        chars: content.length,
        preview: content.slice(0, 200),
      })),
    };
  });
  router.get('/knowledge/:id', async (ctx) => {
    const { id } = parseParams(ctx, UuidParams);
    const item = await deps.knowledge().get(id);
    if (!item) throw HttpError.notFound(`No knowledge item ${id}`, 'KNOWLEDGE_NOT_FOUND');
    ctx.body = { item };
  });
  router.post('/knowledge', async (ctx) => {
    const body = parseBody(ctx, KnowledgeCreate);
    ctx.status = 201;
    ctx.body = { item: await deps.knowledge().create(body) };
  });
  const update = async (ctx: Parameters<Parameters<typeof router.put>[1]>[0]) => {
    const { id } = parseParams(ctx, UuidParams);
    const body = parseBody(ctx, KnowledgeUpdate);
    ctx.body = { item: await deps.knowledge().update(id, body).catch(mapSupportError) };
  };
  router.put('/knowledge/:id', update);
  router.patch('/knowledge/:id', update);
  router.delete('/knowledge/:id', async (ctx) => {
    const { id } = parseParams(ctx, UuidParams);
    await deps.knowledge().delete(id).catch(mapSupportError);
    ctx.status = 204;
  });
  router.post('/knowledge/sync', async (ctx) => {
    ctx.body = { report: await deps.syncKnowledge().catch(mapSupportError) };
  });

  // ---- managers ----------------------------------------------------------------------------
  router.get('/managers', async (ctx) => {
    ctx.body = { managers: await deps.managers().list() };
  });
  router.post('/managers', async (ctx) => {
    const body = parseBody(ctx, ManagerCreate);
    const created = await deps.managers().add(body.userId, body.name, null);
    ctx.status = created ? 201 : 200;
    ctx.body = { manager: await deps.managers().get(body.userId) };
  });
  router.delete('/managers/:id', async (ctx) => {
    const { id } = parseParams(ctx, z.object({ id: z.coerce.number().int() }));
    if (!(await deps.managers().remove(id)))
      throw HttpError.notFound(`${id} is not a manager`, 'MANAGER_NOT_FOUND');
    ctx.status = 204;
  });

  // ---- statistics --------------------------------------------------------------------------
  router.get('/stats', async (ctx) => {
    const q = parseQuery(ctx, StatsQuery);
    const to = q.to ?? new Date(Date.now() + 60_000);
    const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw HttpError.badRequest('"from" must be before "to"', 'BAD_RANGE');
    ctx.body = await deps.stats().compute({ from, to });
  });
}
