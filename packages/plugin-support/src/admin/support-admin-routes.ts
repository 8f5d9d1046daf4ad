import type { AdminState } from '@botloom/core';
import {
  canSeeContent,
  InvalidInputError,
  MAX_SERIAL_ID,
  NotFoundError,
  parseBody,
  parseParams,
  parseQuery,
  requireContentAccess,
  serialIdParam,
  telegramUserId,
  telegramUserIdParam,
} from '@botloom/core';
import type { Router } from '@koa/router';
import { z } from 'zod';
import { KnowledgeNotFoundError } from '../services/errors.js';
import type { KnowledgeService } from '../services/knowledge-service.js';
import type { ManagerGroupHealth } from '../services/manager-group-health.js';
import type { ManagerService } from '../services/manager-service.js';
import type { StatsService } from '../services/stats-service.js';
import type { TicketClosing } from '../services/ticket-closing.js';
import type { TicketHandBack } from '../services/ticket-handback.js';
import type { SupportMessage, Ticket, TicketService } from '../services/ticket-service.js';
import { firstResponseSeconds, resolutionSeconds, TICKET_STATUSES } from '../services/ticket-state.js';

export interface SupportAdminDeps {
  tickets: () => TicketService;
  knowledge: () => KnowledgeService;
  managers: () => ManagerService;
  stats: () => StatsService;
  closing: () => TicketClosing;
  handBack: () => TicketHandBack;
  groupHealth: () => ManagerGroupHealth;
  syncKnowledge: () => Promise<unknown>;
  status: () => Promise<Record<string, unknown>>;
}

const IdParams = z.object({ id: serialIdParam });
const UuidParams = z.object({ id: z.string().uuid() });
const TicketQuery = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  customerId: telegramUserIdParam.optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_SERIAL_ID).default(0),
});
const SearchQuery = z.object({
  q: z.string().trim().min(1).max(200),
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
const ManagerCreate = z.object({ userId: telegramUserId, name: z.string().trim().min(1).max(100) }).strict();
const ManagerParams = z.object({ id: telegramUserIdParam });
const ManagerRename = z.object({ name: z.string().trim().min(1).max(100) }).strict();
const StatsQuery = z.object({ from: z.coerce.date().optional(), to: z.coerce.date().optional() });

function ticketJson(t: Ticket) {
  return { ...t, firstResponseSeconds: firstResponseSeconds(t), resolutionSeconds: resolutionSeconds(t) };
}

/** A message as a viewer sees it: who, when, how long, what kind of file; not what was written. */
function messageMetadata({ text, file, ...rest }: SupportMessage) {
  return {
    ...rest,
    chars: text.length,
    file: file ? { id: file.id, type: file.type, size: file.size } : null,
  };
}

/**
 * The admin API under /admin/api/support. Services throw core's domain errors (TicketNotFoundError,
 * KnowledgeReadOnlyError, ...), which core's HTTP layer answers with their status: nothing to map here.
 */
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
  /** Ticket, transcript and events; message text and file names only for admin tokens (core's content rule). */
  router.get('/tickets/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const ticket = await deps.tickets().require(id);
    const [messages, events] = await Promise.all([deps.tickets().messages(id), deps.tickets().events(id)]);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      ticket: ticketJson(ticket),
      contentIncluded: withContent,
      messages: withContent ? messages : messages.map(messageMetadata),
      events,
    };
  });
  /**
   * Transcript search: messages containing every word of `q` (whole words), newest first.
   * Text is encrypted at rest; the search runs on a blind index of keyed word hashes. It
   * reveals content, so it needs an admin token.
   */
  router.get('/messages/search', async (ctx) => {
    requireContentAccess(ctx);
    const q = parseQuery(ctx, SearchQuery);
    const { messages, terms } = await deps.tickets().searchMessages(q.q, q);
    if (terms === 0)
      throw new InvalidInputError('Search for at least one word of 2 or more letters or digits', {
        code: 'BAD_SEARCH',
      });
    ctx.body = { q: q.q, messages, limit: q.limit, offset: q.offset };
  });
  router.post('/tickets/:id/close', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const closed = await deps.closing().close(id, 'system', null);
    ctx.body = { ticket: ticketJson(closed) };
  });
  /** Back to the assistant without closing; 409 `INVALID_TRANSITION` unless with or waiting for a manager. */
  router.post('/tickets/:id/handback', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const ticket = await deps.handBack().handBack(id, { by: 'admin', id: null, name: ctx.state.admin!.name });
    ctx.body = { ticket: ticketJson(ticket) };
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
    if (!item) throw new KnowledgeNotFoundError(id);
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
    ctx.body = { item: await deps.knowledge().update(id, body) };
  };
  router.put('/knowledge/:id', update);
  router.patch('/knowledge/:id', update);
  router.delete('/knowledge/:id', async (ctx) => {
    const { id } = parseParams(ctx, UuidParams);
    await deps.knowledge().delete(id);
    ctx.status = 204;
  });
  router.post('/knowledge/sync', async (ctx) => {
    ctx.body = { report: await deps.syncKnowledge() };
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
  router.put('/managers/:id', async (ctx) => {
    const { id } = parseParams(ctx, ManagerParams);
    const { name } = parseBody(ctx, ManagerRename);
    if (!(await deps.managers().get(id)))
      throw new NotFoundError(`${id} is not a manager`, { code: 'MANAGER_NOT_FOUND' });
    await deps.managers().add(id, name, null);
    ctx.body = { manager: await deps.managers().get(id) };
  });
  router.delete('/managers/:id', async (ctx) => {
    const { id } = parseParams(ctx, ManagerParams);
    if (!(await deps.managers().remove(id)))
      throw new NotFoundError(`${id} is not a manager`, { code: 'MANAGER_NOT_FOUND' });
    ctx.status = 204;
  });

  // ---- statistics --------------------------------------------------------------------------
  router.get('/stats', async (ctx) => {
    const q = parseQuery(ctx, StatsQuery);
    const to = q.to ?? new Date(Date.now() + 60_000);
    const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw new InvalidInputError('"from" must be before "to"', { code: 'BAD_RANGE' });
    ctx.body = await deps.stats().compute({ from, to });
  });
}
