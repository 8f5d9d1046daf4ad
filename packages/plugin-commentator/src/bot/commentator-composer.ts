import type { BotContext } from '@botloom/core';
import { Composer } from 'grammy';
import type { Message } from 'grammy/types';
import type { CommentatorServices } from '../services/commentator-services.js';

function mediaOf(m: Message): { kind: string } | null {
  if (m.photo) return { kind: 'photo' };
  if (m.video) return { kind: 'video' };
  if (m.document) return { kind: 'document' };
  if (m.audio) return { kind: 'audio' };
  if (m.voice) return { kind: 'voice' };
  if (m.animation) return { kind: 'animation' };
  return null;
}

function nameOf(user: { first_name: string; last_name?: string; username?: string }): string {
  return [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username || '';
}

/**
 * The bot side: posts of monitored channels (`channel_post`), their automatic forwards in
 * the discussion group, replies to our comments, reaction counts, and the review chat's
 * buttons and edit replies. Handlers are thin: each calls one service. Group and channel
 * updates reach every plugin: those of chats outside the commentator's scope (held in memory,
 * see CommentatorChatScope) are passed on without touching the database.
 */
export function createCommentatorComposer(services: () => CommentatorServices): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on('channel_post', async (ctx, next) => {
    const m = ctx.channelPost;
    const s = services();
    if (!s.scope.concerns(m.chat.id)) return next();
    const post = await s.channels.ingest({
      chatId: m.chat.id,
      messageId: m.message_id,
      text: m.text ?? m.caption ?? '',
      media: mediaOf(m),
      date: new Date(m.date * 1000),
    });
    if (post) await s.queuePost(post.id);
    else ctx.logger.debug({ chatId: m.chat.id }, 'channel post of an unmonitored channel, or stored already');
    await next();
  });

  composer.on('message', async (ctx, next) => {
    const m = ctx.message;
    const s = services();
    if (m.chat.type === 'supergroup' || m.chat.type === 'group') {
      const origin = m.forward_origin;
      if (m.is_automatic_forward && origin?.type === 'channel') {
        if (!s.scope.concerns(origin.chat.id)) return next();
        const copy = await s.channels.recordDiscussionCopy({
          channelChatId: origin.chat.id,
          channelMessageId: origin.message_id,
          discussionChatId: m.chat.id,
          discussionMessageId: m.message_id,
          text: m.text ?? m.caption ?? '',
          media: mediaOf(m),
          date: new Date(origin.date * 1000),
        });
        if (copy?.created) await s.queuePost(copy.post.id);
      } else if (
        m.reply_to_message &&
        m.from &&
        !m.from.is_bot &&
        (s.scope.concerns(m.chat.id) || m.chat.id === s.review.chatId)
      ) {
        const text = m.text ?? m.caption ?? '';
        const comment = await s.inbox.commentRepliedTo(m.chat.id, m.reply_to_message.message_id);
        if (comment && text) {
          await s.inbox.record(
            comment.accountId,
            {
              kind: 'reply',
              chatId: m.chat.id,
              messageId: m.message_id,
              fromUserId: m.from.id,
              fromName: nameOf(m.from),
              text,
              replyToMessageId: m.reply_to_message.message_id,
              date: new Date(m.date * 1000),
            },
            comment.id,
          );
        } else if (m.chat.id === s.review.chatId && m.text) {
          const edited = await s.review.replyEdit(
            { id: m.from.id, name: nameOf(m.from) },
            m.chat.id,
            m.reply_to_message.message_id,
            m.text,
          );
          if (edited) {
            await ctx.reply(
              edited.ok
                ? ctx.t('commentator-review-edited', { id: edited.id })
                : ctx.t('commentator-review-edit-refused', { reason: edited.reason }),
              { reply_parameters: { message_id: m.message_id } },
            );
            return;
          }
        }
      }
    }
    await next();
  });

  composer.on('callback_query:data', async (ctx, next) => {
    const data = ctx.callbackQuery.data;
    if (!data.startsWith('cm:')) return next();
    const s = services();
    const result = await s.review.press({ id: ctx.from.id, name: nameOf(ctx.from) }, data);
    const text =
      result === 'done'
        ? ctx.t('commentator-review-done')
        : result === 'not_allowed'
          ? ctx.t('commentator-review-not-allowed')
          : result === 'edit_hint'
            ? ctx.t('commentator-review-edit-hint')
            : result === 'already'
              ? ctx.t('commentator-review-already')
              : undefined;
    await ctx.answerCallbackQuery(text ? { text, show_alert: result !== 'done' } : undefined);
  });

  // People's reactions on our comments in the discussion group (the bot is an admin there).
  composer.on('message_reaction', async (ctx, next) => {
    const r = ctx.messageReaction;
    const delta = r.new_reaction.length - r.old_reaction.length;
    if (services().scope.concerns(r.chat.id))
      await services().engagement.recordReactionChange(r.chat.id, r.message_id, delta);
    await next();
  });

  // Anonymous reactions (channel posts): Telegram sends the totals.
  composer.on('message_reaction_count', async (ctx, next) => {
    const r = ctx.messageReactionCount;
    const total = r.reactions.reduce((sum, x) => sum + x.total_count, 0);
    if (services().scope.concerns(r.chat.id))
      await services().engagement.recordReactionCount(r.chat.id, r.message_id, total);
    await next();
  });

  return composer;
}
