/**
 * The baseline of bench/hot-path.ts: bare grammY behind a Koa webhook, no database, answering
 * the same traffic as the Botloom targets (/start with a button, /help, text, the button).
 * Prints `READY <url>` once it takes updates. Plain JavaScript: runs under `node` and `tsx` alike.
 */
import { bodyParser } from '@koa/bodyparser';
import { Bot, InlineKeyboard, webhookCallback } from 'grammy';
import Koa from 'koa';

const bot = new Bot(process.env.TELEGRAM_BOT_TOKEN, {
  client: { apiRoot: process.env.TELEGRAM_API_ROOT },
});
bot.command('start', (ctx) =>
  ctx.reply(`Hello, ${ctx.from?.first_name}!`, {
    reply_markup: new InlineKeyboard().text('Help', 'bench:help'),
  }),
);
bot.command('help', (ctx) => ctx.reply('/start, /help'));
bot.on('message:text', (ctx) => ctx.reply(`You said: ${ctx.message.text}`));
bot.on('callback_query:data', (ctx) => ctx.answerCallbackQuery());
await bot.init();

const app = new Koa();
app.use(bodyParser());
const handleUpdate = webhookCallback(bot, 'koa', { secretToken: process.env.WEBHOOK_SECRET });
app.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/telegram/webhook') return handleUpdate(ctx);
  return next();
});
// Exits on SIGINT so that `node --cpu-prof` writes its profile.
process.once('SIGINT', () => process.exit(0));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${server.address().port}\n`);
});
