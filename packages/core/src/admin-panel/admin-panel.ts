import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { RuntimeSettings } from '../config/runtime-settings.js';
import { AdminSessionService } from '../http/admin-sessions.js';
import { AdminUserService } from '../http/admin-users.js';
import { AuditLog, summariseBody } from '../http/audit-log.js';
import { normaliseError } from '../http/http-error.js';
import { LoginThrottle, type LoginThrottleOptions } from '../http/login-throttle.js';
import type { AdminPanelMount } from '../http/server.js';
import type { AdminState } from '../http/types.js';
import { LogBuffer } from '../logger/log-buffer.js';
import { ActivityLedger } from './activity.js';
import { ErrorLedger } from './error-ledger.js';
import { JobAdmin } from './job-admin.js';
import {
  type AdminPageDefinition,
  type AdminWidgetDefinition,
  adminPagesSchema,
  adminWidgetsSchema,
} from './page-schema.js';
import { type PanelPlugin, setupPanelRoutes } from './panel-routes.js';
import { sessionRouter } from './session-routes.js';
import { adminUiMiddleware, pluginModuleUrl } from './static-files.js';

/** What the HTTP server mounts for the panel (sign-in, audit, its routes and files), and its services. */
export interface AdminPanel extends AdminPanelMount {
  users: AdminUserService;
  audit: AuditLog;
}

export interface AdminPanelOptions {
  sequelize: Sequelize;
  logger: Logger;
  plugins(): PanelPlugin[];
  /** Settings changeable from the panel (loaded already). */
  runtimeSettings?: RuntimeSettings;
  /** Recent application logs (empty when the app was given its own logger). */
  logs?: LogBuffer;
  /** Custom page modules by URL path (`pluginModuleFiles`). */
  moduleFiles?(): Map<string, string>;
  throttle?: LoginThrottleOptions;
  /** Folder of the built panel (default: the package's `dist/admin-ui`). */
  uiDir?: string;
  now?: () => number;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The panel's view of loaded plugins: id, version and their declared pages (defaults applied). */
export function panelPluginsOf(
  manifests: readonly {
    id: string;
    version: string;
    adminPages?: readonly AdminPageDefinition[];
    adminWidgets?: readonly AdminWidgetDefinition[];
  }[],
): PanelPlugin[] {
  return manifests.map((m) => ({
    id: m.id,
    version: m.version,
    pages: adminPagesSchema
      .parse(m.adminPages ?? [])
      .map(({ module, ...page }) =>
        module
          ? { ...page, module: { url: pluginModuleUrl(m.id, page.id), uiVersion: module.uiVersion } }
          : page,
      ),
    widgets: adminWidgetsSchema.parse(m.adminWidgets ?? []),
  }));
}

/** The files of custom plugin pages, by the URL path the panel loads them from. */
export function pluginModuleFiles(
  manifests: readonly { id: string; adminPages?: readonly AdminPageDefinition[] }[],
): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of manifests) {
    for (const page of m.adminPages ?? []) {
      if (page.module) files.set(pluginModuleUrl(m.id, page.id), page.module.file);
    }
  }
  return files;
}

export function createAdminPanel(options: AdminPanelOptions): AdminPanel {
  const users = new AdminUserService(options.sequelize);
  const sessions = new AdminSessionService(options.sequelize, options.now);
  const audit = new AuditLog(options.sequelize);
  const throttle = new LoginThrottle(options.sequelize, { now: options.now, ...options.throttle });
  const jobs = new JobAdmin(options.sequelize);
  const router = sessionRouter({ users, sessions, throttle, audit });

  const auditMiddleware: Middleware<AdminState> = async (ctx, next) => {
    if (READS.has(ctx.method)) return next();
    let status = 500;
    try {
      await next();
      status = ctx.status;
    } catch (err) {
      status = normaliseError(err).status;
      throw err;
    } finally {
      const principal = ctx.state.admin;
      if (principal) {
        await audit
          .record({
            principal,
            method: ctx.method,
            path: ctx.path,
            status,
            summary: summariseBody((ctx.request as { body?: unknown }).body),
            requestId: (ctx.state as { requestId?: string }).requestId,
            address: ctx.ip,
          })
          .catch((err) => options.logger.warn({ err }, 'could not write the admin audit log'));
      }
    }
  };

  return {
    users,
    sessions,
    audit,
    sessionRouter: router,
    auditMiddleware,
    routeGroups: [
      {
        owner: 'core/panel',
        setup: (setup) =>
          setupPanelRoutes(setup, {
            users,
            audit,
            jobs,
            activity: new ActivityLedger(options.sequelize),
            errors: new ErrorLedger(() => options.sequelize, undefined, options.now),
            logs: options.logs ?? new LogBuffer(),
            runtimeSettings: options.runtimeSettings,
            plugins: options.plugins,
          }),
      },
    ],
    ui: adminUiMiddleware(options.uiDir, options.moduleFiles),
  };
}
