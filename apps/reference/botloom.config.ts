import { fileURLToPath } from 'node:url';
import { type BotloomConfig, defineConfig } from '@botloom/core';
import instagramPlugin from '@botloom/plugin-instagram';
import memoryPlugin from '@botloom/plugin-memory';
import segmentationPlugin from '@botloom/plugin-segmentation';
import supportPlugin from '@botloom/plugin-support';
import { sandboxSupportSettings } from './src/sandbox-desk.js';

/**
 * The reference app's plugins, read by `src/main.ts` and by the `botloom` CLI
 * (`npx botloom config:check`, `migrate`, `admin:token create`...) run in this folder.
 *
 * Who answers free text in a private chat is core's chat ownership: the support desk by default
 * (the first plugin that answers all free text); the personal agent (memory) from
 * /start_session or its /start menu button until /end_session; /support, `/start support` or
 * the menu hand the chat back to the desk. Segmentation answers its commands only.
 *
 * Without TELEGRAM_BOT_TOKEN (sandbox mode) the support desk gets a playable manager side:
 * `src/main.ts` creates a forum group "Support managers" and a manager, Maria, in the
 * emulator, and these settings name them (see src/sandbox-desk.ts).
 *
 * The Instagram agent is a second channel: it owns no Telegram chat, only its webhook.
 */
const config: BotloomConfig = defineConfig({
  plugins: [
    memoryPlugin({ outsideSession: 'ignore' }),
    segmentationPlugin({ openAccessInSandbox: true }),
    supportPlugin({
      knowledgeDir: fileURLToPath(new URL('./knowledge', import.meta.url)),
      ...sandboxSupportSettings(),
    }),
    // Instagram DMs: INSTAGRAM_* settings for a real account; in sandbox mode without them a
    // local Graph API stand-in and the DM playground at /p/instagram/playground.
    instagramPlugin(),
  ],
});

export default config;
