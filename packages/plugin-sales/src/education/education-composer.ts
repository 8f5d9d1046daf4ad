import { Composer, type Context } from 'grammy';
import type { Logger } from 'pino';
import type { EducationGroupService } from './education-group-service.js';

/**
 * The education module's grammY handlers, thin: `chat_member` (a person joined a group),
 * `chat_shared` (the request_chat button) and text in groups. Messages of groups that are not
 * education groups go on to the next handler, told apart in memory (every group's messages
 * reach the plugin: a lookup each was a database read per message of any group).
 */
export function createEducationComposer<C extends Context>(
  service: () => EducationGroupService,
  logger: Logger,
  /** The education groups' chats, in memory: other groups' updates pass without a lookup. */
  groups: { has(chatId: number): boolean } = { has: () => true },
): Composer<C> {
  const composer = new Composer<C>();

  composer.on('chat_member', async (ctx, next) => {
    const update = ctx.chatMember;
    if (!groups.has(update.chat.id)) return next();
    const joined =
      ['left', 'kicked'].includes(update.old_chat_member.status) &&
      ['member', 'administrator', 'restricted'].includes(update.new_chat_member.status);
    if (joined && !update.new_chat_member.user.is_bot) {
      await service().onMemberJoined(update.chat.id, update.new_chat_member.user.id);
    }
    return next();
  });

  composer.on('message:chat_shared', async (ctx, next) => {
    if (ctx.chat.type !== 'private') return next();
    const shared = ctx.message.chat_shared;
    if (!(await service().onChatShared(ctx.from.id, shared.request_id, shared.chat_id))) return next();
  });

  composer.chatType(['group', 'supergroup']).on('message:text', async (ctx, next) => {
    if (ctx.from.is_bot || !groups.has(ctx.chat.id)) return next();
    const handled = await service().onGroupMessage(ctx.chat.id, {
      messageId: ctx.message.message_id,
      userId: ctx.from.id,
      text: ctx.message.text,
    });
    if (!handled) return next();
    logger.debug({ chatId: ctx.chat.id }, 'education group message handled');
  });

  return composer;
}
