/**
 * One instance of the crash test (test/multi-instance.test.ts) and of the scale-out bench
 * (bench/scale-out.ts), run as a child process in webhook mode; settings come from the
 * environment. It answers any text with `reply:<text>`: one countable reply per update.
 * Prints `READY <url>` once it takes updates.
 */

import { createApp } from '../../src/app/create-app.js';
import { definePlugin } from '../../src/plugin/define-plugin.js';

const scale = definePlugin({
  id: 'scale',
  version: '1.0.0',
  core: '^0.1.0',
  bot: ({ composer }) => {
    composer.on('message:text', (ctx) => ctx.reply(`reply:${ctx.message.text}`));
  },
});

const app = createApp({ plugins: [scale], floodControl: false, handleSignals: true, dotenv: false });
await app.start();
process.stdout.write(`READY ${app.url}\n`);
