import {
  type Conversation,
  type ConversationFlavor,
  conversations,
  createConversation,
} from '@grammyjs/conversations';
import { Bot, type Context, InlineKeyboard, type SessionFlavor, session } from 'grammy';

interface DemoSession {
  messages: number;
}

type DemoContext = ConversationFlavor<Context & SessionFlavor<DemoSession>>;

/**
 * A plain grammY bot (no Botloom) used to prove the emulator speaks the Bot API: sessions,
 * a two-step conversation, an inline keyboard with callback answers and edits.
 */
export function createDemoBot(token: string, apiRoot: string): Bot<DemoContext> {
  const bot = new Bot<DemoContext>(token, { client: { apiRoot } });
  bot.use(session({ initial: (): DemoSession => ({ messages: 0 }) }));
  bot.use(async (ctx, next) => {
    if (ctx.message) ctx.session.messages++;
    await next();
  });
  bot.use(conversations());

  async function signup(conversation: Conversation<DemoContext, Context>, ctx: Context) {
    await ctx.reply('What is your name?');
    const name = await conversation.waitFor('message:text');
    await ctx.reply(`How old are you, ${name.message.text}?`);
    const age = await conversation.waitFor('message:text');
    await ctx.reply(`Welcome ${name.message.text}, age ${age.message.text}!`, {
      reply_markup: new InlineKeyboard().text('Confirm', 'confirm').text('Cancel', 'cancel'),
    });
  }
  bot.use(createConversation(signup, 'signup'));

  bot.command('start', (ctx) =>
    ctx.reply('Hi! <b>Choose</b> an action:', {
      parse_mode: 'HTML',
      reply_markup: new InlineKeyboard().text('Sign up', 'signup').text('Count', 'count'),
    }),
  );
  bot.command('count', (ctx) => ctx.reply(`You sent ${ctx.session.messages} messages`));
  bot.callbackQuery('signup', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter('signup');
  });
  bot.callbackQuery('count', async (ctx) => {
    await ctx.answerCallbackQuery({ text: `Counted ${ctx.session.messages}` });
  });
  bot.callbackQuery('confirm', async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'Confirmed' });
    await ctx.editMessageText('Signed up ✅');
  });
  bot.on('message:text', (ctx) => ctx.reply(`Echo: ${ctx.message.text}`));
  bot.catch((err) => {
    console.error('demo bot error', err.error);
  });
  return bot;
}
