import { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import type { AdminRouteGroup, RouteSetup } from '../http/server.js';
import { parseBody, parseParams, parseQuery } from '../http/validation.js';
import type { AiServices } from './ai-services.js';
import { GLOBAL_SCOPE, utcDay } from './usage.js';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
const GroupColumn = z.enum(['day', 'plugin', 'purpose', 'user', 'model', 'provider']);

const UsageQuery = z
  .object({
    plugin: z.string().min(1).max(64).optional(),
    purpose: z.string().min(1).max(128).optional(),
    user: z.string().min(1).max(64).optional(),
    provider: z.string().min(1).max(64).optional(),
    from: Day.optional(),
    to: Day.optional(),
    // `groupBy=day,plugin` or `groupBy=day&groupBy=plugin`; `groupBy=` (empty) = totals only.
    groupBy: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(GroupColumn))
      .optional(),
    limit: z.coerce.number().int().min(1).max(10_000).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });

const UserParams = z.object({ user: z.string().min(1).max(64) });
const LimitBody = z
  .object({
    /** A plugin id, or '*' for the user's limit across all plugins. */
    plugin: z.string().regex(/^(\*|[a-z0-9][a-z0-9-]{0,63})$/, "a plugin id or '*'"),
    /** Tokens per day; null removes the override. */
    tokens: z.number().int().min(0).max(1_000_000_000).nullable(),
  })
  .strict();

export interface LlmAdminRoutesOptions {
  /** Ids of the loaded plugins: a budget for any other plugin is refused (422 UNKNOWN_PLUGIN). */
  pluginIds?: () => readonly string[];
}

/**
 * Admin API of the LLM gateway, mounted at `/admin/api/core/llm`:
 * - `GET /usage` — usage rows with filters (plugin, purpose, user, provider, from, to, groupBy, limit) and totals;
 * - `GET /status` — offline or not, the routes, and each provider's circuit, latency and error rate;
 * - `GET /budgets/:user` — the user's limit overrides and today's consumption;
 * - `PUT /budgets/:user` — set or remove (`tokens: null`) an override (role admin); `plugin` is
 *   '*' or a loaded plugin id.
 */
export function setupLlmAdminRoutes(
  { router, requireRole }: RouteSetup,
  services: AiServices,
  options: LlmAdminRoutesOptions = {},
): void {
  router.get('/usage', async (ctx) => {
    const query = parseQuery(ctx, UsageQuery);
    const [rows, totals] = await Promise.all([
      services.usage.query(query),
      services.usage.query({ ...query, groupBy: [], limit: undefined }),
    ]);
    ctx.body = {
      filters: {
        ...query,
        groupBy: query.groupBy ?? ['day', 'plugin', 'purpose', 'user', 'model', 'provider'],
      },
      rows,
      totals: totals[0] ?? {
        calls: 0,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
        latencyMsAvg: 0,
        costUsd: 0,
      },
    };
  });

  router.get('/status', (ctx) => {
    ctx.body = { ...services.describe(), circuit: services.circuitState(), ...services.providerStatus() };
  });

  router.get('/budgets/:user', async (ctx) => {
    const { user } = parseParams(ctx, UserParams);
    const [limits, used, today] = await Promise.all([
      services.usage.getUserLimits(user),
      services.usage.usedToday(user),
      services.usage.query({ user, from: utcDay(), to: utcDay(), groupBy: ['plugin'] }),
    ]);
    ctx.body = {
      user,
      limits,
      today: {
        day: utcDay(),
        totalTokens: used.total,
        byPlugin: today.map((r) => ({ plugin: r.plugin, tokens: r.totalTokens })),
      },
    };
  });

  router.put('/budgets/:user', requireRole('admin'), async (ctx) => {
    const { user } = parseParams(ctx, UserParams);
    const body = parseBody(ctx, LimitBody);
    const plugins = options.pluginIds?.();
    if (plugins && body.plugin !== '*' && !plugins.includes(body.plugin)) {
      throw new HttpError(422, 'UNKNOWN_PLUGIN', `No plugin "${body.plugin}" is loaded`, {
        details: { plugin: body.plugin, loaded: [...plugins] },
      });
    }
    await services.usage.setUserLimit(body.plugin, user, body.tokens);
    ctx.body = { user, limits: await services.usage.getUserLimits(user) };
  });
}

/** The route group to pass to createHttpServer's `adminRoutes`. */
export function llmAdminRoutes(services: AiServices, options: LlmAdminRoutesOptions = {}): AdminRouteGroup {
  return { owner: 'core/llm', setup: (setup) => setupLlmAdminRoutes(setup, services, options) };
}

export { GLOBAL_SCOPE };
