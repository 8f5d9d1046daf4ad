import type { Router, RouterMiddleware } from '@koa/router';
import { z } from 'zod';
import type { AdminTokenService } from './admin-tokens.js';
import { HttpError } from './http-error.js';
import type { AdminRole, AdminState } from './types.js';
import { parseBody } from './validation.js';

/**
 * What core reports at /admin/api/core/...; the integrator supplies it (settings already
 * masked). Each returns a JSON-serialisable value or a promise of one.
 */
export interface CoreInfoProvider {
  plugins(): unknown;
  settings(): unknown;
  migrations(): unknown;
}

const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: z.enum(['admin', 'viewer']),
  })
  .strict();

/** Routes of `/admin/api/core`: plugins, settings, migrations, the caller, and admin tokens. */
export function setupCoreAdminRoutes(
  router: Router<AdminState>,
  deps: {
    coreInfo: CoreInfoProvider;
    adminTokens: AdminTokenService;
    requireRole(role: AdminRole): RouterMiddleware<AdminState>;
  },
): void {
  const { coreInfo, adminTokens, requireRole } = deps;

  router.get('/plugins', async (ctx) => {
    ctx.body = await coreInfo.plugins();
  });
  router.get('/settings', async (ctx) => {
    ctx.body = await coreInfo.settings();
  });
  router.get('/migrations', async (ctx) => {
    ctx.body = await coreInfo.migrations();
  });
  // Who the caller is (for admin UIs deciding what to show).
  router.get('/me', (ctx) => {
    ctx.body = { admin: ctx.state.admin };
  });

  router.get('/tokens', requireRole('admin'), async (ctx) => {
    ctx.body = { tokens: await adminTokens.list() };
  });
  router.post('/tokens', requireRole('admin'), async (ctx) => {
    const input = parseBody(ctx, CreateTokenBody);
    const created = await adminTokens.create(input);
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = created;
  });
  router.delete('/tokens/:id', requireRole('admin'), async (ctx) => {
    const revoked = await adminTokens.revoke(ctx.params.id ?? '');
    if (!revoked) throw new HttpError(404, 'TOKEN_NOT_FOUND', 'No active token with this id');
    ctx.status = 204;
  });
}
