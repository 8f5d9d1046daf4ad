/**
 * A webhook-mode app for the crash test (test/update-inbox-crash.test.ts), run as a child
 * process: it answers every text with `reply:<text>` after a short pause (a stand-in for real
 * work, so that updates are in flight when the test kills the process). Settings come from
 * the environment; prints `READY <url>` once it takes updates.
 */
import { createApp } from '../../src/app/create-app.js';
import { definePlugin } from '../../src/plugin/define-plugin.js';

const echo = definePlugin({
  id: 'echo',
  version: '1.0.0',
  core: '^0.1.0',
  bot: ({ composer }) => {
    composer.on('message:text', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 25));
      await ctx.reply(`reply:${ctx.message.text}`);
    });
  },
});

const app = createApp({ plugins: [echo], floodControl: false, handleSignals: true, dotenv: false });
await app.start();
process.stdout.write(`READY ${app.url}\n`);
