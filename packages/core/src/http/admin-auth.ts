import type { RouterMiddleware } from '@koa/router';
import type { Middleware, ParameterizedContext } from 'koa';
import { type AdminSessionService, CSRF_HEADER, SESSION_COOKIE, sameSecret } from './admin-sessions.js';
import { type AdminTokenService, roleSatisfies } from './admin-tokens.js';
import { HttpError } from './http-error.js';
import type { AdminRole, AdminState } from './types.js';

const REALM = 'botloom-admin';

function unauthorized(message: string, invalidToken: boolean): HttpError {
  const challenge = invalidToken
    ? `Bearer realm="${REALM}", error="invalid_token"`
    : `Bearer realm="${REALM}"`;
  return new HttpError(401, invalidToken ? 'INVALID_TOKEN' : 'UNAUTHORIZED', message, {
    headers: { 'WWW-Authenticate': challenge },
  });
}

function bearerToken(header: string): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The role a request needs by default: reading (GET/HEAD/OPTIONS) needs viewer, changing needs admin. */
export function defaultRoleFor(method: string): AdminRole {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'viewer' : 'admin';
}

function isWrite(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

export class AdminAuth {
  constructor(
    private readonly tokens: AdminTokenService,
    /** Panel sessions; without it only bearer tokens are accepted. */
    private readonly sessions?: AdminSessionService,
  ) {}

  /**
   * Sets `ctx.state.admin` from the bearer token or, without an Authorization header, from the
   * panel's session cookie (writes then need the session's CSRF token); otherwise throws 401.
   */
  async authenticate(ctx: ParameterizedContext<AdminState>): Promise<void> {
    if (ctx.state.admin) return;
    const header = ctx.get('authorization');
    if (!header && this.sessions) {
      const cookie = ctx.cookies.get(SESSION_COOKIE);
      if (cookie) return this.authenticateSession(ctx, this.sessions, cookie);
    }
    if (!header) throw unauthorized('A bearer token is required', false);
    const token = bearerToken(header);
    if (!token) throw unauthorized('Use the Authorization: Bearer <token> scheme', true);
    const principal = await this.tokens.verify(token);
    if (!principal) throw unauthorized('The token is invalid or revoked', true);
    ctx.state.admin = principal;
  }

  private async authenticateSession(
    ctx: ParameterizedContext<AdminState>,
    sessions: AdminSessionService,
    cookie: string,
  ): Promise<void> {
    const session = await sessions.verify(cookie);
    if (!session) {
      throw new HttpError(401, 'SESSION_EXPIRED', 'The session has ended: sign in again');
    }
    // The cookie is sent by the browser on its own; a write must also prove it comes from the panel.
    if (isWrite(ctx.method) && !sameSecret(ctx.get(CSRF_HEADER), session.csrfToken)) {
      throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'A write from the panel needs its X-CSRF-Token header');
    }
    ctx.state.admin = {
      tokenId: '',
      name: session.username,
      role: session.role,
      via: 'session',
      userId: session.userId,
    };
  }

  /** Authentication plus the default role for the method; mounted in front of every admin route. */
  middleware(): Middleware<AdminState> {
    return async (ctx, next) => {
      await this.authenticate(ctx);
      this.assertRole(ctx, defaultRoleFor(ctx.method));
      await next();
    };
  }

  /** Route middleware demanding at least `role`; authenticates first when needed (public routes). */
  requireRole(role: AdminRole): RouterMiddleware<AdminState> {
    return async (ctx, next) => {
      await this.authenticate(ctx);
      this.assertRole(ctx, role);
      await next();
    };
  }

  private assertRole(ctx: ParameterizedContext<AdminState>, role: AdminRole): void {
    const principal = ctx.state.admin;
    if (!principal) throw unauthorized('A bearer token is required', false);
    if (!roleSatisfies(principal.role, role)) {
      throw new HttpError(
        403,
        'FORBIDDEN',
        `This needs the "${role}" role; the token has "${principal.role}"`,
      );
    }
  }
}
