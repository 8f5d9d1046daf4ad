/**
 * A production-shaped app (TELEGRAM_BOT_TOKEN set) for test/lean-surface.test.ts: it imports only
 * the root of @botloom/core, starts, answers one update, stops and prints DONE.
 */
import { createApp, definePlugin } from '@botloom/core';

const echo = definePlugin({
  id: 'echo',
  version: '1.0.0',
  core: '^0.1.0',
  bot: ({ composer }) => composer.on('message:text', (ctx) => ctx.reply(`echo:${ctx.message.text}`)),
});

const app = createApp({ plugins: [echo], floodControl: false, dotenv: false });
await app.start();
await app.stop();
process.stdout.write('DONE\n');
