import type { Conversation } from '@grammyjs/conversations';
import type { I18nFlavor } from '@grammyjs/i18n';
import { type Context, InlineKeyboard } from 'grammy';
import {
  AgentRoles,
  AnswerLanguages,
  AnswerLengths,
  type ProfileInput,
  type ProfileService,
} from '../services/profile-service.js';
import { profileText } from './format.js';

export const PERSONALIZE_CONVERSATION = 'memory-personalize';

type InnerContext = Context & I18nFlavor;

const CANCEL = /^\/cancel(@\w+)?$/;

/**
 * /personalize: role (or a custom instruction typed by the user), answer language, answer
 * length; then saves the profile. Any other command leaves the conversation and runs as usual.
 */
export function personalizeConversation(profiles: () => ProfileService, maxInstructionChars: number) {
  return async function personalize(conversation: Conversation<any, InnerContext>, ctx: InnerContext) {
    const userId = String(ctx.from?.id ?? '');
    if (!userId) return;

    const choose = async <V extends string>(
      prompt: string,
      prefix: string,
      values: readonly V[],
      label: (v: V) => string,
    ) => {
      const keyboard = new InlineKeyboard();
      values.forEach((v, i) => {
        keyboard.text(label(v), `memory:p:${prefix}:${v}`);
        if (i % 2 === 1) keyboard.row();
      });
      await ctx.reply(prompt, { reply_markup: keyboard });
      for (;;) {
        const next = await conversation.wait();
        const data = next.callbackQuery?.data;
        if (data?.startsWith(`memory:p:${prefix}:`)) {
          const value = data.slice(`memory:p:${prefix}:`.length) as V;
          if (values.includes(value)) {
            await next.answerCallbackQuery();
            // Keep the question with the answer in the chat; without reply_markup the buttons go.
            await next.editMessageText(`${prompt}\n→ ${label(value)}`).catch(() => {});
            return value;
          }
        }
        await leaveOnCommand(conversation, next);
        if (next.callbackQuery)
          await next.answerCallbackQuery({ text: ctx.t('memory-personalize-use-buttons') });
        else await next.reply(ctx.t('memory-personalize-use-buttons'));
      }
    };

    const role = await choose(ctx.t('memory-personalize-role-prompt'), 'role', AgentRoles, (r) =>
      ctx.t(`memory-role-${r}`),
    );
    let customInstruction: string | undefined;
    if (role === 'custom') {
      await ctx.reply(ctx.t('memory-personalize-custom-prompt', { limit: maxInstructionChars }));
      for (;;) {
        const next = await conversation.wait();
        await leaveOnCommand(conversation, next);
        const text = next.message?.text?.trim();
        if (!text) {
          await next.reply(ctx.t('memory-personalize-custom-prompt', { limit: maxInstructionChars }));
          continue;
        }
        if (text.length > maxInstructionChars) {
          await next.reply(
            ctx.t('memory-personalize-custom-too-long', { length: text.length, limit: maxInstructionChars }),
          );
          continue;
        }
        customInstruction = text;
        break;
      }
    }
    const answerLanguage = await choose(
      ctx.t('memory-personalize-language-prompt'),
      'lang',
      AnswerLanguages,
      (l) => ctx.t(`memory-language-${l}`),
    );
    const answerLength = await choose(ctx.t('memory-personalize-length-prompt'), 'len', AnswerLengths, (l) =>
      ctx.t(`memory-length-${l}`),
    );
    const input: ProfileInput = { role, customInstruction, answerLanguage, answerLength };
    const saved = await conversation.external(async () => {
      const p = await profiles().save(userId, input);
      return { ...p, createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
    });
    await ctx.reply(
      `${ctx.t('memory-personalize-saved')}\n${profileText(ctx.t.bind(ctx), {
        ...saved,
        createdAt: new Date(saved.createdAt),
        updatedAt: new Date(saved.updatedAt),
      })}`,
    );
  };

  async function leaveOnCommand(conversation: Conversation<any, InnerContext>, next: InnerContext) {
    const text = next.message?.text ?? '';
    if (CANCEL.test(text)) {
      await next.reply(next.t('memory-personalize-cancelled'));
      await conversation.halt();
    }
    if (text.startsWith('/')) await conversation.halt({ next: true });
  }
}
