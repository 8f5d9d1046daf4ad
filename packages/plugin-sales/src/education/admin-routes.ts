import type { AdminState } from '@botloom/core';
import { canSeeContent, NotFoundError, parseBody, parseParams } from '@botloom/core';
import type { Router } from '@koa/router';
import { z } from 'zod';
import type { EducationGroupService } from './education-group-service.js';
import type { EducationGroup, EducationGroupStore } from './group-store.js';

/** Telegram group and supergroup ids are negative. */
const groupChatId = z.coerce
  .number()
  .int()
  .negative('a group chat id is negative (e.g. -1001234567890)')
  .min(-(2 ** 53) + 1);
const PoolBody = z.object({ chatId: groupChatId }).strict();
const PoolParams = z.object({ chatId: groupChatId });

function groupJson(g: EducationGroup, messages: number) {
  return {
    id: g.id,
    chatId: g.chatId,
    title: g.title,
    source: g.source,
    status: g.status,
    clientUserId: g.clientUserId,
    conversationId: g.conversationId,
    scriptId: g.scriptId,
    scriptVersion: g.scriptVersion,
    locale: g.locale,
    stageIndex: g.stageIndex,
    problem: g.problem,
    invitedAt: g.invitedAt,
    joinedAt: g.joinedAt,
    finishedAt: g.finishedAt,
    messages,
  };
}

/**
 * `GET /groups` (viewer), `POST /groups/pool {chatId}` and `DELETE /groups/pool/:chatId`
 * (admin: core requires it for every non-GET), `GET /groups/:chatId` (the group and its
 * transcript; message text only with an admin token). Domain errors (EDU_*) map to 4xx in core.
 */
export function registerEducationAdminRoutes(
  router: Router<AdminState>,
  deps: { service: () => EducationGroupService; store: () => EducationGroupStore },
): void {
  router.get('/groups', async (ctx) => {
    const [groups, counts] = await Promise.all([deps.service().list(), deps.store().messageCounts()]);
    ctx.body = { groups: groups.map((g) => groupJson(g, counts.get(g.id) ?? 0)) };
  });
  router.post('/groups/pool', async (ctx) => {
    const { chatId } = parseBody(ctx, PoolBody);
    const group = await deps.service().registerPoolGroup(chatId);
    ctx.status = 201;
    ctx.body = { group: groupJson(group, 0) };
  });
  router.delete('/groups/pool/:chatId', async (ctx) => {
    const { chatId } = parseParams(ctx, PoolParams);
    await deps.service().removePoolGroup(chatId);
    ctx.status = 204;
  });
  router.get('/groups/:chatId', async (ctx) => {
    const { chatId } = parseParams(ctx, PoolParams);
    const group = await deps.store().byChat(chatId);
    if (!group) throw new NotFoundError(`No education group ${chatId}`, { code: 'EDU_GROUP_NOT_FOUND' });
    const messages = await deps.store().messages(group.id);
    const withContent = canSeeContent(ctx);
    ctx.body = {
      group: groupJson(group, messages.length),
      contentIncluded: withContent,
      messages: messages.map(({ text, ...rest }) =>
        withContent ? { ...rest, text } : { ...rest, chars: text.length },
      ),
    };
  });
}
