export type AdminRole = 'viewer' | 'admin';

export interface AdminPrincipal {
  /** Bearer tokens: the token's id. Panel sessions: empty (see `userId`). */
  tokenId: string;
  /** The token's name, or the panel user's username. */
  name: string;
  role: AdminRole;
  /** How the caller signed in: a bearer token (default) or a panel session cookie. */
  via?: 'token' | 'session';
  /** Panel sessions: the admin user's id. */
  userId?: string;
}

/** Koa `ctx.state` on admin routes. */
export interface AdminState {
  admin?: AdminPrincipal;
}
