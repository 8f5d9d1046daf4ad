/**
 * The core pipeline target of bench/hot-path.ts: createApp (durable inbox, sessions, rate
 * limit, i18n, chat ownership...) with one minimal plugin; core answers /start and /help, the
 * plugin answers text and button presses as the bare grammY baseline does. Settings come from
 * the environment. Prints `READY <url>` once it takes updates.
 *
 * Plain JavaScript importing the package by its name: `node` runs core's built JavaScript
 * (dist, as `npm start` does), `tsx --conditions=botloom-source` its TypeScript sources.
 */
import { createApp, definePlugin } from '@botloom/core';

const minimal = definePlugin({
  id: 'minimal',
  version: '1.0.0',
  core: '^0.1.0',
  bot: ({ composer }) => {
    composer.on('message:text', (ctx) => ctx.reply(`You said: ${ctx.message.text}`));
    composer.on('callback_query:data', (ctx) => ctx.answerCallbackQuery());
  },
});

const app = createApp({ plugins: [minimal], handleSignals: true, dotenv: false });
await app.start();
process.stdout.write(`READY ${app.url}\n`);
