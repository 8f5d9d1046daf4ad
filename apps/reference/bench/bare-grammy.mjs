// The baseline of the startup bench: a bare grammY bot behind a Koa webhook, with /readyz and
// /memory, doing nothing else. botInfo is given, so no Bot API call is made at start.
import { Bot, webhookCallback } from 'grammy';
import Koa from 'koa';

const bot = new Bot('1:bench', {
  botInfo: {
    id: 1,
    is_bot: true,
    first_name: 'Bench',
    username: 'bench_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  },
});
bot.command('start', (ctx) => ctx.reply('Hello'));
bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));

const handleUpdate = webhookCallback(bot, 'koa');
const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.path === '/readyz') {
    ctx.body = { status: 'ready' };
    return;
  }
  if (ctx.path === '/memory') {
    ctx.body = process.memoryUsage();
    return;
  }
  if (ctx.path === '/webhook' && ctx.method === 'POST') return handleUpdate(ctx, next);
  await next();
});
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
