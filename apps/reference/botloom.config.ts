import { fileURLToPath } from 'node:url';
import { type BotloomConfig, defineConfig } from '@botloom/core';
import commentatorPlugin from '@botloom/plugin-commentator';
import instagramPlugin from '@botloom/plugin-instagram';
import memoryPlugin from '@botloom/plugin-memory';
import salesPlugin, { DEMO_SCRIPT_FILES } from '@botloom/plugin-sales';
import segmentationPlugin from '@botloom/plugin-segmentation';
import supportPlugin from '@botloom/plugin-support';
import {
  sandboxAccountGateway,
  sandboxCommentatorSettings,
  sandboxReviewChatId,
} from './src/sandbox-commentator.js';
import { sandboxSalesSettings } from './src/sandbox-demo.js';
import {
  sandboxManagerGroupChatId,
  sandboxSupportSettings,
  telegramTokenConfigured,
} from './src/sandbox-desk.js';

/**
 * The reference app's plugins, read by `src/main.ts` and by the `botloom` CLI
 * (`npx botloom config:check`, `migrate`, `admin:token create`...) run in this folder.
 *
 * Who answers free text in a private chat is core's chat ownership: the support desk by default
 * (the first plugin that answers all free text); the personal agent (memory) from
 * /start_session or its /start menu button until /end_session; /support, `/start support` or
 * the menu hand the chat back to the desk. Segmentation answers its commands only. The course
 * advisor (sales) owns the chat from `/start sales-course` (an ad's deep link) or its menu
 * button until the conversation ends or the client sends /stop; its demo script, an online
 * course in English and Russian, is published at the first start.
 *
 * Without TELEGRAM_BOT_TOKEN (sandbox mode) the support desk gets a playable manager side:
 * `src/main.ts` creates a forum group "Support managers" and a manager, Maria, in the
 * emulator (or finds them there); the settings name Maria as the support admin and the
 * group's id, as the emulator answered it, is wired in (see src/sandbox-desk.ts). Sales gets a study group
 * in the pool and a disclosed assistant bot, so a consenting client is invited into Script #2
 * (see src/sandbox-demo.ts).
 *
 * The Instagram agent is a second channel: it owns no Telegram chat, only its webhook.
 */
/** A file of this app folder, from the sources (tsx) or from the build (dist/botloom.config.js). */
function appFile(name: string): string {
  const here = new URL('.', import.meta.url);
  return fileURLToPath(new URL(here.pathname.endsWith('/dist/') ? `../${name}` : name, here));
}

const config: BotloomConfig = defineConfig({
  plugins: [
    memoryPlugin({ outsideSession: 'ignore' }),
    segmentationPlugin({ openAccessInSandbox: true }),
    // Sandbox mode: the manager group's id is the one the emulator gave (src/sandbox-desk.ts).
    supportPlugin(
      { knowledgeDir: appFile('knowledge'), ...sandboxSupportSettings() },
      { managerGroupChatId: sandboxManagerGroupChatId },
    ),
    salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES, ...sandboxSalesSettings(!telegramTokenConfigured()) }),
    // Comments under channel posts, approved by a person (sandbox: see src/sandbox-commentator.ts).
    commentatorPlugin(sandboxCommentatorSettings(), {
      accountGateway: sandboxAccountGateway,
      reviewChatId: sandboxReviewChatId,
    }),
    // Instagram DMs: INSTAGRAM_* settings for a real account; in sandbox mode without them a
    // local Graph API stand-in and the DM playground at /p/instagram/playground.
    instagramPlugin(),
  ],
});

export default config;
