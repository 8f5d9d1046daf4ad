import { z } from 'zod';
import type { RuntimeSettings } from '../config/runtime-settings.js';
import { NotFoundError } from '../errors/domain-errors.js';
import type { AdminUserService } from '../http/admin-users.js';
import type { AuditLog } from '../http/audit-log.js';
import { canSeeContent } from '../http/content-access.js';
import type { RouteSetup } from '../http/server.js';
import { parseBody, parseParams, parseQuery } from '../http/validation.js';
import type { LogBuffer } from '../logger/log-buffer.js';
import type { ActivityLedger } from './activity.js';
import type { ErrorLedger } from './error-ledger.js';
import type { JobAdmin } from './job-admin.js';
import { ADMIN_UI_VERSION, type AdminPage, type adminWidgetSchema } from './page-schema.js';

/** A page as the browser sees it: a custom page's file path is replaced by its URL. */
export type PanelPage = Omit<AdminPage, 'module'> & { module?: { url: string; uiVersion: string } };

export interface PanelPlugin {
  id: string;
  version: string;
  pages: PanelPage[];
  widgets: z.output<typeof adminWidgetSchema>[];
}

export interface PanelRouteDeps {
  users: AdminUserService;
  audit: AuditLog;
  jobs: JobAdmin;
  activity: ActivityLedger;
  /** Errors per day and the latest ones (absent: the dashboard shows none). */
  errors?: ErrorLedger;
  logs: LogBuffer;
  runtimeSettings?: RuntimeSettings;
  plugins(): PanelPlugin[];
}

const Role = z.enum(['admin', 'viewer']);
const CreateUser = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), role: Role })
  .strict();
const PasswordBody = z.object({ password: z.string().min(1).max(256) }).strict();
const ActivityQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(30) }).strict();
const ErrorsQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(90).default(30),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();
const SettingParams = z.object({ owner: z.string().min(1).max(64), name: z.string().min(1).max(128) });
const SettingBody = z.object({ value: z.unknown() }).strict();
const LogsQuery = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
    plugin: z.string().min(1).max(64).optional(),
    correlationId: z.string().min(1).max(128).optional(),
    q: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
const AuditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).optional(),
    before: z
      .string()
      .regex(/^\d{1,18}$/)
      .optional(),
    actor: z.string().min(1).max(128).optional(),
  })
  .strict();

/**
 * What the panel needs beyond the plugins' own APIs, under `/admin/api/core/panel`: the page
 * manifest (`/ui`), daily activity, admin users, the audit log and the job queues.
 */
export function setupPanelRoutes({ router, requireRole }: RouteSetup, deps: PanelRouteDeps): void {
  router.get('/ui', (ctx) => {
    ctx.body = { uiVersion: ADMIN_UI_VERSION, me: ctx.state.admin, plugins: deps.plugins() };
  });

  router.get('/activity', async (ctx) => {
    const q = parseQuery(ctx, ActivityQuery);
    ctx.body = { days: await deps.activity.days(q.days) };
  });

  /** Errors per day, source and plugin, and the latest ones; their messages for admins only. */
  router.get('/errors', async (ctx) => {
    const q = parseQuery(ctx, ErrorsQuery);
    const withContent = canSeeContent(ctx);
    const [days, recent] = await Promise.all([
      deps.errors?.days(q.days) ?? [],
      deps.errors?.recent(q.limit, withContent) ?? [],
    ]);
    ctx.body = { days, recent, contentIncluded: withContent };
  });

  router.get('/users', requireRole('admin'), async (ctx) => {
    ctx.body = { users: await deps.users.list() };
  });
  router.post('/users', requireRole('admin'), async (ctx) => {
    const body = parseBody(ctx, CreateUser);
    ctx.status = 201;
    ctx.body = { user: await deps.users.create(body) };
  });
  router.put('/users/:id/password', requireRole('admin'), async (ctx) => {
    const body = parseBody(ctx, PasswordBody);
    await deps.users.setPassword(ctx.params.id ?? '', body.password);
    ctx.status = 204;
  });
  router.delete('/users/:id', requireRole('admin'), async (ctx) => {
    await deps.users.delete(ctx.params.id ?? '');
    ctx.status = 204;
  });

  router.get('/audit', async (ctx) => {
    const q = parseQuery(ctx, AuditQuery);
    ctx.body = { entries: await deps.audit.list(q) };
  });

  router.get('/settings/runtime', (ctx) => {
    ctx.body = { settings: deps.runtimeSettings?.list() ?? [] };
  });
  router.put('/settings/runtime/:owner/:name', requireRole('admin'), async (ctx) => {
    const { owner, name } = parseParams(ctx, SettingParams);
    const { value } = parseBody(ctx, SettingBody);
    if (!deps.runtimeSettings)
      throw new NotFoundError('No runtime settings', { code: 'RUNTIME_SETTING_NOT_FOUND' });
    ctx.body = {
      setting: await deps.runtimeSettings.set(owner, name, value, ctx.state.admin?.name ?? 'admin'),
    };
  });
  router.delete('/settings/runtime/:owner/:name', requireRole('admin'), async (ctx) => {
    const { owner, name } = parseParams(ctx, SettingParams);
    if (!deps.runtimeSettings)
      throw new NotFoundError('No runtime settings', { code: 'RUNTIME_SETTING_NOT_FOUND' });
    ctx.body = { setting: await deps.runtimeSettings.reset(owner, name) };
  });

  // Log lines may carry what users wrote (at info), so they are for admins only.
  router.get('/logs', requireRole('admin'), (ctx) => {
    ctx.body = { entries: deps.logs.query(parseQuery(ctx, LogsQuery)) };
  });

  router.get('/jobs', async (ctx) => {
    const [queues, failed] = await Promise.all([deps.jobs.queues(), deps.jobs.failed()]);
    ctx.body = { queues, failed };
  });
  router.post('/jobs/:id/retry', async (ctx) => {
    await deps.jobs.retry(ctx.params.id ?? '');
    ctx.status = 204;
  });
}
