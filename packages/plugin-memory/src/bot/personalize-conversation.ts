import type { Conversation } from '@grammyjs/conversations';
import type { I18nFlavor } from '@grammyjs/i18n';
import { type Context, InlineKeyboard } from 'grammy';
import {
  AgentRoles,
  AnswerLanguages,
  AnswerLengths,
  defaultProfile,
  type Profile,
  type ProfileInput,
  type ProfileService,
} from '../services/profile-service.js';
import { profileText } from './format.js';

export const PERSONALIZE_CONVERSATION = 'memory-personalize';

type InnerContext = Context & I18nFlavor;

const CANCEL = /^\/cancel(@\w+)?$/;

/** The profile fields /personalize sets, as kept in the conversation's (sealed) state. */
type Choices = Required<Pick<ProfileInput, 'role' | 'answerLanguage' | 'answerLength'>> & {
  customInstruction?: string;
};

/** The steps that can be finished before the last one (which saves and ends the conversation). */
type Step = 'role' | 'language';

/**
 * /personalize: role (or a custom instruction typed by the user), answer language, answer
 * length. Each step is saved as soon as it is answered, so a user who leaves half-way (another
 * command, or simply walking away) keeps what they chose; leaving by another command says what
 * was kept. /cancel undoes the steps of this run and restores the profile as it was.
 */
export function personalizeConversation(profiles: () => ProfileService, maxInstructionChars: number) {
  return async function personalize(conversation: Conversation<any, InnerContext>, ctx: InnerContext) {
    const userId = String(ctx.from?.id ?? '');
    if (!userId) return;

    const before = await conversation.external(async (): Promise<Choices | null> => {
      const p = await profiles().get(userId);
      return p ? choicesOf(p) : null;
    });
    let current: Choices = before ?? choicesOf(defaultProfile(userId));
    const kept: Step[] = [];

    const keep = async (step: Step, patch: Partial<Choices>) => {
      current = { ...current, ...patch };
      if (current.role !== 'custom') current.customInstruction = undefined;
      const choices = current;
      await conversation.external(async () => {
        await profiles().save(userId, choices);
      });
      kept.push(step);
    };

    const leaveOnCommand = async (next: InnerContext) => {
      const text = next.message?.text ?? '';
      if (CANCEL.test(text)) {
        if (kept.length > 0) {
          await conversation.external(async () => {
            if (before) await profiles().save(userId, before);
            else await profiles().delete(userId);
          });
        }
        await next.reply(next.t('memory-personalize-cancelled'));
        await conversation.halt();
      }
      if (text.startsWith('/')) {
        await next.reply(
          kept.length === 0
            ? next.t('memory-personalize-stopped-unchanged')
            : next.t('memory-personalize-stopped-kept', { kept: keptText(next, current, kept) }),
        );
        await conversation.halt({ next: true });
      }
    };

    const choose = async <V extends string>(
      prompt: string,
      prefix: string,
      values: readonly V[],
      label: (v: V) => string,
    ) => {
      // Two buttons a row, with no empty row after an even number of choices.
      const buttons = values.map((v) => InlineKeyboard.text(label(v), `memory:p:${prefix}:${v}`));
      const keyboard = InlineKeyboard.from(
        buttons.flatMap((_, i) => (i % 2 === 0 ? [buttons.slice(i, i + 2)] : [])),
      );
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
        await leaveOnCommand(next);
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
        await leaveOnCommand(next);
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
    await keep('role', { role, customInstruction });
    const answerLanguage = await choose(
      ctx.t('memory-personalize-language-prompt'),
      'lang',
      AnswerLanguages,
      (l) => ctx.t(`memory-language-${l}`),
    );
    await keep('language', { answerLanguage });
    const answerLength = await choose(ctx.t('memory-personalize-length-prompt'), 'len', AnswerLengths, (l) =>
      ctx.t(`memory-length-${l}`),
    );
    const input: ProfileInput = { ...current, answerLength };
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
}

function choicesOf(profile: Profile): Choices {
  return {
    role: profile.role,
    customInstruction: profile.customInstruction ?? undefined,
    answerLanguage: profile.answerLanguage,
    answerLength: profile.answerLength,
  };
}

/** "role: 👩‍💻 Coder; answer language: English" for the steps finished in this run. */
function keptText(ctx: InnerContext, choices: Choices, kept: Step[]): string {
  const value: Record<Step, string> = {
    role: ctx.t(`memory-role-${choices.role}`),
    language: ctx.t(`memory-language-${choices.answerLanguage}`),
  };
  return kept.map((step) => ctx.t(`memory-personalize-kept-${step}`, { value: value[step] })).join('; ');
}
