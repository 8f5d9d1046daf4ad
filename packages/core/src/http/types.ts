export type AdminRole = 'viewer' | 'admin';

export interface AdminPrincipal {
  tokenId: string;
  name: string;
  role: AdminRole;
}

/** Koa `ctx.state` on admin routes. */
export interface AdminState {
  admin?: AdminPrincipal;
}
