import { type AdminState, parseBody, parseParams, serialIdParam } from '@botloom/core';
import type Router from '@koa/router';
import { z } from 'zod';
import type { CommentatorServices } from '../services/commentator-services.js';
import { adminActor, VoiceGuide } from './admin-inputs.js';

const IdParams = z.object({ id: serialIdParam });
// The whole voice guide: a key left out is cleared (the panel's form leaves empty fields out).
const VoiceBody = z.object({ voice: VoiceGuide.optional() }).strict();

/**
 * `/admin/api/commentator/accounts/:id/...` for an account's voice guide and its use (role
 * admin, core enforces and audit-logs): `PUT voice` replaces the guide, `POST deactivate`
 * takes a user account out of use, `POST reactivate` sends it a new login code.
 */
export function commentatorAccountRoutes(
  router: Router<AdminState>,
  services: () => CommentatorServices,
): void {
  router.put('/accounts/:id/voice', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const { voice } = parseBody(ctx, VoiceBody);
    ctx.body = { account: await services().accounts.replaceVoice(id, voice ?? {}) };
  });
  router.post('/accounts/:id/deactivate', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = { account: await services().accounts.deactivate(id, adminActor(ctx)) };
  });
  router.post('/accounts/:id/reactivate', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = { account: await services().accounts.reactivate(id, adminActor(ctx)) };
  });
}
