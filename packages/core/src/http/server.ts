import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { bodyParser } from '@koa/bodyparser';
import { Router, type RouterMiddleware } from '@koa/router';
import Koa, { type Middleware } from 'koa';
import type { Logger } from 'pino';
import { SESSION_PATH } from '../admin-panel/session-routes.js';
import { ADMIN_UI_PREFIX } from '../admin-panel/static-files.js';
import type { CoreConfig } from '../config/core-config.js';
import { BootError } from '../errors/botloom-error.js';
import type { ErrorReporter } from '../errors/error-reporter.js';
import { stringsOf } from '../errors/scrub-report.js';
import { problemsOf } from '../plugin/boot-problems.js';
import { PLUGIN_ID_PATTERN } from '../plugin/plugin-id.js';
import { AdminAuth } from './admin-auth.js';
import type { AdminSessionService } from './admin-sessions.js';
import type { AdminTokenService } from './admin-tokens.js';
import { type CoreInfoProvider, setupCoreAdminRoutes } from './core-admin-routes.js';
import { framingAllowed } from './framing.js';
import { HttpError, normaliseError } from './http-error.js';
import type { Metrics } from './metrics.js';
import { RouteTable } from './route-table.js';
import { telegramWebhookHandler, type WebhookReceiver } from './telegram-webhook.js';
import type { AdminRole, AdminState } from './types.js';

export const ADMIN_API_PREFIX = '/admin/api';
export const PUBLIC_PREFIX = '/p';
export const WEBHOOK_PATH = '/telegram/webhook';
export const DEFAULT_JSON_BODY_LIMIT = '1mb';

/** Takes over an HTTP upgrade request (a WebSocket handshake); it owns the socket from then on. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** What a route setup hook receives; the integrator adds plugin, config, logger and resolve. */
export interface RouteSetup {
  /** A @koa/router whose prefix is already set (`/admin/api/<id>` or `/p/<id>`). */
  router: Router<AdminState>;
  requireRole(role: AdminRole): RouterMiddleware<AdminState>;
  /**
   * Public routes only (absent for admin routes): handle HTTP upgrades (WebSocket handshakes)
   * on `<prefix><path>`, e.g. `onUpgrade('/ws', handler)` in a plugin's `http()` serves
   * `/p/<plugin>/ws`. The handler authenticates the request itself. Upgrades on other paths
   * are answered 404. Close your sockets in the plugin's `stop()`.
   */
  onUpgrade?(path: string, handler: UpgradeHandler): void;
}

export type RouteSetupHook = (ctx: RouteSetup) => void;

export interface HttpPluginRoutes {
  id: string;
  /** Routes under `/admin/api/<id>`: bearer token required. */
  admin?: RouteSetupHook;
  /** Public routes under `/p/<id>`. */
  http?: RouteSetupHook;
}

/** A Koa middleware that owns every path under `prefix` (ctx.path is not rewritten). */
export interface ExtraRoute {
  prefix: string;
  middleware: Middleware;
  /** Name in clash errors, logs and metrics; default `extra:<prefix>`. */
  owner?: string;
}

/** What the server mounts for the admin panel (built by `createAdminPanel` in src/admin-panel). */
export interface AdminPanelMount {
  sessions: AdminSessionService;
  /** `/admin/api/session` (sign-in), mounted in front of the bearer-token guard. */
  sessionRouter: Router<AdminState>;
  /** Records every admin write; mounted first on `/admin/api`. */
  auditMiddleware: Middleware<AdminState>;
  routeGroups: AdminRouteGroup[];
  /** The single-page app under `/admin/`. */
  ui: Middleware;
}

/** Admin routes of a core area, mounted at `/admin/api/<owner>` (e.g. owner `core/llm`). */
export interface AdminRouteGroup {
  owner: string;
  setup: RouteSetupHook;
}

export interface HttpServerOptions {
  config: CoreConfig;
  logger: Logger;
  metrics: Metrics;
  adminTokens: AdminTokenService;
  plugins: HttpPluginRoutes[];
  coreInfo: CoreInfoProvider;
  /** Set in webhook mode: enables `POST /telegram/webhook`. */
  webhook?: WebhookReceiver;
  isReady(): boolean;
  extraRoutes?: ExtraRoute[];
  adminRoutes?: AdminRouteGroup[];
  /** The admin panel: session sign-in, audit log, its routes and the single-page app at /admin/. */
  adminPanel?: AdminPanelMount;
  /** Largest JSON (and form) body on admin and public routes; default 1mb. */
  jsonBodyLimit?: string | number;
  /** Largest webhook update; default 1mb. */
  webhookBodyLimit?: string | number;
  /** Error tracking of 5xx failures (Sentry; off when absent). */
  errorReporter?: ErrorReporter;
}

export interface HttpServer {
  app: Koa<AdminState>;
  /** Every registered route with its owner. */
  routes: RouteTable;
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Readiness turns 503, the server stops accepting, waits for in-flight requests (bounded). */
  close(): Promise<void>;
}

export { allowFraming } from './framing.js';

type AnyMiddleware = (ctx: any, next: () => Promise<unknown>) => unknown;

function compose(middleware: AnyMiddleware[]): AnyMiddleware {
  return (ctx, next) => {
    const dispatch = async (i: number): Promise<unknown> =>
      i === middleware.length ? next() : middleware[i]!(ctx, () => dispatch(i + 1));
    return dispatch(0);
  };
}

function isUnderPath(path: string, prefix: string): boolean {
  const p = path.toLowerCase();
  const pre = prefix.toLowerCase();
  return p === pre || p.startsWith(`${pre}/`);
}

function under(prefix: string, middleware: AnyMiddleware): AnyMiddleware {
  return (ctx, next) => (isUnderPath(ctx.path, prefix) ? middleware(ctx, next) : next());
}

const OWNER_PATTERN = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

function requestIdFrom(header: string): string {
  return REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

function corsOrigins(config: CoreConfig): string[] {
  return (config.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}

function corsMiddleware(origins: string[]): Middleware {
  const any = origins.includes('*');
  return async (ctx, next) => {
    ctx.vary('Origin');
    const origin = ctx.get('origin');
    if (!origin || !(any || origins.includes(origin))) return next();
    ctx.set('Access-Control-Allow-Origin', any ? '*' : origin);
    ctx.set('Access-Control-Expose-Headers', 'X-Request-Id, WWW-Authenticate');
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Request-Id');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}

/** Headers every response carries (README: Security headers and CORS). */
function setBaseSecurityHeaders(ctx: { set(name: string, value: string): void }): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

function setupRouter(
  owner: string,
  what: string,
  prefix: string,
  hook: RouteSetupHook,
  requireRole: RouteSetup['requireRole'],
  onUpgrade?: RouteSetup['onUpgrade'],
): Router<AdminState> {
  const router = new Router<AdminState>({ prefix });
  try {
    hook(onUpgrade ? { router, requireRole, onUpgrade } : { router, requireRole });
  } catch (err) {
    // A plugin hook's error already names the plugin and the hook (the app's invokeHook).
    if (problemsOf(err)) throw err;
    throw new BootError(
      'ROUTE_SETUP_FAILED',
      `"${owner}" failed to set up its ${what} routes: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  return router;
}

/**
 * The one HTTP server of an app: health, readiness, metrics, the Telegram webhook, the admin
 * API (bearer tokens, roles) and plugins' public routes, with JSON errors, body limits and
 * security headers. Throws BootError `ROUTE_CLASH` when two owners register the same route.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { config, logger, metrics, adminTokens, coreInfo } = options;
  const jsonLimit = options.jsonBodyLimit ?? DEFAULT_JSON_BODY_LIMIT;
  const routes = new RouteTable();
  const panel = options.adminPanel;
  const auth = new AdminAuth(adminTokens, panel?.sessions);
  const requireRole = (role: AdminRole) => auth.requireRole(role);
  let closing = false;

  // Owner names identify route owners in clash errors and metrics, so two registrations
  // (core, a core area, a plugin, an extra route) may never share one.
  const owners = new Map<string, string>();
  const registerOwner = (name: string, what: string) => {
    const key = name.toLowerCase();
    const existing = owners.get(key);
    if (existing) {
      throw new BootError(
        'ROUTE_CLASH',
        `Route clash: ${what} and ${existing} both use the route owner name "${name}"`,
        {
          details: { owners: [existing, what] },
        },
      );
    }
    owners.set(key, what);
  };
  registerOwner('core', 'core');

  // Core routes.
  const coreRouter = new Router<AdminState>();
  coreRouter.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  coreRouter.get('/readyz', (ctx) => {
    const ready = !closing && options.isReady();
    ctx.status = ready ? 200 : 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: ready ? 'ready' : closing ? 'stopping' : 'starting' };
  });
  coreRouter.get('/metrics', async (ctx) => {
    ctx.set('Content-Type', metrics.registry.contentType);
    ctx.body = await metrics.registry.metrics();
  });
  if (options.webhook) {
    coreRouter.post(
      WEBHOOK_PATH,
      telegramWebhookHandler(options.webhook, {
        bodyLimit: options.webhookBodyLimit ?? DEFAULT_JSON_BODY_LIMIT,
        isAccepting: () => !closing && options.isReady(),
      }),
    );
  }
  routes.addRouter('core', coreRouter);
  routes.claimPrefix('core', ADMIN_API_PREFIX);
  routes.claimPrefix('core', PUBLIC_PREFIX);

  // Admin API.
  const adminRouters: Router<AdminState>[] = [];
  const coreAdmin = new Router<AdminState>({ prefix: `${ADMIN_API_PREFIX}/core` });
  setupCoreAdminRoutes(coreAdmin, { coreInfo, adminTokens, requireRole });
  routes.claimPrefix('core', `${ADMIN_API_PREFIX}/core`);
  routes.addRouter('core', coreAdmin);
  adminRouters.push(coreAdmin);
  // Listed with the others (so route sweeps see it), though mounted outside the token guard.
  if (panel) routes.addRouter('core', panel.sessionRouter);

  for (const group of [...(panel?.routeGroups ?? []), ...(options.adminRoutes ?? [])]) {
    if (!OWNER_PATTERN.test(group.owner)) {
      throw new BootError(
        'INVALID_ROUTE_OWNER',
        `Admin route owner "${group.owner}" must look like "core/llm"`,
      );
    }
    registerOwner(group.owner, `core area "${group.owner}"`);
    const prefix = `${ADMIN_API_PREFIX}/${group.owner}`;
    const router = setupRouter(group.owner, 'admin', prefix, group.setup, requireRole);
    routes.claimPrefix(group.owner, prefix);
    routes.addRouter(group.owner, router);
    adminRouters.push(router);
  }

  const publicRouters: Router<AdminState>[] = [];
  const upgrades = new Map<string, { owner: string; handler: UpgradeHandler }>();
  const upgradeRegistrar = (owner: string, prefix: string) => (path: string, handler: UpgradeHandler) => {
    const full = `${prefix}/${path.replace(/^\/+/, '')}`.replace(/\/+$/, '');
    const key = full.toLowerCase();
    const existing = upgrades.get(key);
    if (existing) {
      throw new BootError(
        'ROUTE_CLASH',
        `Route clash: "${owner}" and "${existing.owner}" both handle upgrades on ${full}`,
      );
    }
    upgrades.set(key, { owner, handler });
  };
  for (const plugin of options.plugins) {
    const segment = plugin.id.toLowerCase();
    if (!PLUGIN_ID_PATTERN.test(segment)) {
      throw new BootError('INVALID_PLUGIN_ID', `Plugin id "${plugin.id}" cannot be used in a URL path`);
    }
    registerOwner(plugin.id, `plugin "${plugin.id}"`);
    if (plugin.admin) {
      const prefix = `${ADMIN_API_PREFIX}/${segment}`;
      const router = setupRouter(plugin.id, 'admin', prefix, plugin.admin, requireRole);
      routes.claimPrefix(plugin.id, prefix);
      routes.addRouter(plugin.id, router);
      adminRouters.push(router);
    }
    if (plugin.http) {
      const prefix = `${PUBLIC_PREFIX}/${segment}`;
      const router = setupRouter(
        plugin.id,
        'public',
        prefix,
        plugin.http,
        requireRole,
        upgradeRegistrar(plugin.id, prefix),
      );
      routes.claimPrefix(plugin.id, prefix);
      routes.addRouter(plugin.id, router);
      publicRouters.push(router);
    }
  }

  const extras = (options.extraRoutes ?? []).map((extra) => {
    const prefix = `/${extra.prefix.replace(/^\/+|\/+$/g, '')}`;
    if (prefix === '/')
      throw new BootError('INVALID_EXTRA_ROUTE', 'An extra route cannot own the whole server ("/")');
    const owner = extra.owner ?? `extra:${prefix}`;
    registerOwner(owner, `extra route "${owner}"`);
    routes.claimPrefix(owner, prefix, { exclusive: true });
    return { prefix, owner, middleware: extra.middleware };
  });
  const extraPrefixes = extras.map((e) => e.prefix);

  const app = new Koa<AdminState>();
  // Behind N trusted proxies, ctx.ip is the address the nearest of them saw (the N-th entry of
  // X-Forwarded-For from the right); without them the header is ignored, as anyone can send it.
  const trustedProxies = config.TRUST_PROXY ?? 0;
  if (trustedProxies > 0) {
    app.proxy = true;
    app.maxIpsCount = trustedProxies;
  }
  app.on('error', (err: unknown) => logger.warn({ err }, 'HTTP response failed'));

  // Request id, access log, metrics, security headers (applied last so handlers cannot forget them).
  app.use(async (ctx, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(ctx.get('x-request-id'));
    (ctx.state as Record<string, unknown>).requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    // Set before the handler too: extra routes (the sandbox) answer on the raw response, and
    // Node merges these into their writeHead.
    setBaseSecurityHeaders(ctx);
    try {
      await next();
    } finally {
      const isPublic =
        isUnderPath(ctx.path, PUBLIC_PREFIX) || extraPrefixes.some((p) => isUnderPath(ctx.path, p));
      if (!ctx.headerSent) {
        ctx.remove('X-Powered-By');
        setBaseSecurityHeaders(ctx);
        if (framingAllowed(ctx)) ctx.remove('X-Frame-Options');
        // The panel's pages set their own (narrow) policy; everything else gets none at all.
        if (!isPublic && !ctx.response.get('Content-Security-Policy'))
          ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
        if (isUnderPath(ctx.path, ADMIN_API_PREFIX)) ctx.set('Cache-Control', 'no-store');
      }
      const owner = routes.ownerOf(ctx.path);
      metrics.httpRequests.inc({ owner, status: statusClass(ctx.status) });
      // Guarded: the fields object would be built on every request (every update) for nothing.
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          {
            requestId,
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            owner,
            admin: ctx.state.admin?.name,
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          'http request',
        );
    }
  });

  // Every failure becomes `{ error: { code, message, correlationId } }`.
  app.use(async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null && ctx.respond !== false) {
        const methods = routes.methodsFor(ctx.path);
        if (methods.length > 0) {
          if (ctx.method === 'OPTIONS') {
            ctx.set('Allow', methods.join(', '));
            ctx.status = 204;
            return;
          }
          throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${ctx.method} is not allowed here`, {
            headers: { Allow: methods.join(', ') },
          });
        }
        throw new HttpError(404, 'NOT_FOUND', 'No such route');
      }
    } catch (err) {
      const e = normaliseError(err);
      const correlationId = String((ctx.state as Record<string, unknown>).requestId ?? '');
      if (e.internal) {
        logger.error(
          { err, requestId: correlationId, method: ctx.method, path: ctx.path },
          'HTTP handler failed',
        );
        if (options.errorReporter?.enabled) {
          const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
          options.errorReporter.report(err, {
            source: 'http',
            plugin: routes.ownerOf(ctx.path),
            correlationId,
            route: `${ctx.method} ${typeof matched === 'string' ? matched : ctx.path}`,
            sensitive: stringsOf({ body: (ctx.request as { body?: unknown }).body, query: ctx.query }),
          });
        }
      }
      if (ctx.headerSent || !ctx.writable) return;
      ctx.status = e.status;
      for (const [name, value] of Object.entries(e.headers)) ctx.set(name, value);
      ctx.type = 'application/json';
      ctx.body = {
        error: {
          code: e.code,
          message: e.message,
          correlationId,
          ...(e.issues ? { issues: e.issues } : {}),
          ...(e.details !== undefined ? { details: e.details } : {}),
        },
      };
    }
  });

  app.use(coreRouter.routes());

  const adminJson = bodyParser({ enableTypes: ['json'], jsonLimit, jsonStrict: true });
  if (panel) app.use(under(SESSION_PATH, compose([adminJson, panel.sessionRouter.routes()])));
  app.use(
    under(
      ADMIN_API_PREFIX,
      compose([
        corsMiddleware(corsOrigins(config)),
        ...(panel ? [panel.auditMiddleware] : []),
        auth.middleware(),
        adminJson,
        ...adminRouters.map((r) => r.routes()),
      ]),
    ),
  );

  const publicBody = bodyParser({
    enableTypes: ['json', 'form'],
    jsonLimit,
    formLimit: jsonLimit,
    jsonStrict: true,
    onError: deferParseError,
  });
  app.use(under(PUBLIC_PREFIX, compose([publicBody, ...publicRouters.map((r) => r.routes())])));

  for (const extra of extras) app.use(under(extra.prefix, extra.middleware));
  if (panel) app.use(under(ADMIN_UI_PREFIX, panel.ui));

  let server: Server | undefined;
  return {
    app,
    routes,
    async listen(port, host = config.HOST ?? '0.0.0.0') {
      const s = createServer(app.callback());
      s.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on('error', (err) => logger.debug({ err }, 'upgraded socket error'));
        const refuse = (status: string) =>
          socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        if (closing) return refuse('503 Service Unavailable');
        let pathname: string;
        try {
          pathname = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
        } catch {
          return refuse('400 Bad Request');
        }
        const entry = upgrades.get(pathname.toLowerCase());
        if (!entry) return refuse('404 Not Found');
        try {
          entry.handler(request, socket, head);
        } catch (err) {
          logger.error({ err, path: pathname, owner: entry.owner }, 'upgrade handler failed');
          socket.destroy();
        }
      });
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          reject(
            new BootError(
              'HTTP_LISTEN_FAILED',
              err.code === 'EADDRINUSE'
                ? `Port ${port} on ${host} is already in use (set PORT)`
                : `Cannot listen on ${host}:${port}: ${err.message}`,
              { cause: err },
            ),
          );
        };
        s.once('error', onError);
        s.listen(port, host, () => {
          s.off('error', onError);
          resolve();
        });
      });
      server = s;
      const actualPort = (s.address() as AddressInfo).port;
      const shownHost =
        host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
      return { url: `http://${shownHost}:${actualPort}`, port: actualPort };
    },
    async close() {
      closing = true;
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => s.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
        force.unref();
        s.close(() => {
          clearTimeout(force);
          resolve();
        });
        s.closeIdleConnections();
      });
    },
  };
}

/**
 * Public routes: a body that does not parse is an error only for a route that reads
 * `ctx.request.body` (it gets the same 400 as before). The raw text stays readable, so a
 * signed webhook checks its signature first and refuses an unsigned bad body with 401, not 400.
 * Other failures (too large, aborted) still answer at once.
 */
function deferParseError(err: Error, ctx: Koa.Context): void {
  const e = err as Error & { status?: number; body?: unknown };
  if (e.status !== 400 || typeof e.body !== 'string') throw err;
  (ctx.request as { rawBody?: string }).rawBody = e.body;
  Object.defineProperty(ctx.request, 'body', {
    configurable: true,
    enumerable: true,
    get() {
      throw err;
    },
  });
}
