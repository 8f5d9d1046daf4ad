import { Router } from '@koa/router';
import type { ParameterizedContext } from 'koa';
import { z } from 'zod';
import {
  type AdminSessionService,
  CSRF_HEADER,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  sameSecret,
} from '../http/admin-sessions.js';
import type { AdminUserService } from '../http/admin-users.js';
import type { AuditLog } from '../http/audit-log.js';
import { HttpError } from '../http/http-error.js';
import type { LoginThrottle } from '../http/login-throttle.js';
import type { AdminState } from '../http/types.js';
import { parseBody } from '../http/validation.js';

export const SESSION_PATH = '/admin/api/session';

const LoginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) });

export interface SessionRouteDeps {
  users: AdminUserService;
  sessions: AdminSessionService;
  throttle: LoginThrottle;
  audit: AuditLog;
}

type Ctx = ParameterizedContext<AdminState>;

function setCookie(ctx: Ctx, value: string | null): void {
  ctx.cookies.set(SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/admin',
    secure: ctx.secure,
    overwrite: true,
    ...(value ? { maxAge: SESSION_TTL_MS } : { expires: new Date(0) }),
  });
}

function requestId(ctx: Ctx): string | undefined {
  return (ctx.state as { requestId?: string }).requestId;
}

/**
 * Sign-in of the admin panel at `/admin/api/session`, outside the bearer-token guard:
 * `POST` signs in (sets the session cookie, answers the CSRF token), `GET` tells who is
 * signed in (`{ user: null }` when nobody), `DELETE` signs out (needs the CSRF token).
 */
export function sessionRouter(deps: SessionRouteDeps): Router<AdminState> {
  const router = new Router<AdminState>({ prefix: SESSION_PATH });
  /** The live session of the request's cookie, or null (no cookie, unknown, expired). */
  const currentSession = async (ctx: Ctx) => {
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    return cookie ? deps.sessions.verify(cookie) : null;
  };

  router.post('/', async (ctx) => {
    const body = parseBody(ctx, LoginBody);
    const address = ctx.ip || 'unknown';
    const wait = await deps.throttle.retryAfter(address, body.username);
    if (wait > 0) {
      throw new HttpError(429, 'TOO_MANY_LOGIN_ATTEMPTS', 'Too many failed sign-ins: try again later', {
        headers: { 'Retry-After': String(wait) },
      });
    }
    const user = await deps.users.authenticate(body.username, body.password);
    if (!user) {
      await deps.throttle.recordFailure(address, body.username);
      await deps.audit.record({
        principal: { name: body.username.slice(0, 64), via: 'anonymous' },
        method: 'POST',
        path: SESSION_PATH,
        status: 401,
        summary: { action: 'sign-in failed' },
        requestId: requestId(ctx),
        address,
      });
      throw new HttpError(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
    }
    await deps.throttle.recordSuccess(address, body.username);
    const { token, session } = await deps.sessions.create(user);
    setCookie(ctx, token);
    await deps.audit.record({
      principal: { name: user.username, via: 'session', role: user.role },
      method: 'POST',
      path: SESSION_PATH,
      status: 200,
      summary: { action: 'signed in' },
      requestId: requestId(ctx),
      address: ctx.ip,
    });
    ctx.body = {
      user: { id: user.id, username: user.username, role: user.role },
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  });

  router.get('/', async (ctx) => {
    const session = await currentSession(ctx);
    // 200 either way: "not signed in" is an answer here, not a failure the browser should log.
    if (!session) {
      ctx.body = { user: null };
      return;
    }
    ctx.body = {
      user: { id: session.userId, username: session.username, role: session.role },
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  });

  router.delete('/', async (ctx) => {
    const session = await currentSession(ctx);
    if (!session) {
      setCookie(ctx, null);
      ctx.status = 204;
      return;
    }
    if (!sameSecret(ctx.get(CSRF_HEADER), session.csrfToken)) {
      throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'Signing out needs the X-CSRF-Token header');
    }
    await deps.sessions.revoke(session.id);
    setCookie(ctx, null);
    await deps.audit.record({
      principal: { name: session.username, via: 'session', role: session.role },
      method: 'DELETE',
      path: SESSION_PATH,
      status: 204,
      summary: { action: 'signed out' },
      requestId: requestId(ctx),
      address: ctx.ip,
    });
    ctx.status = 204;
  });

  return router;
}
