import { fileURLToPath } from 'node:url';
import { defineConfig } from '@botloom/core';
import memoryPlugin from '@botloom/plugin-memory';
import segmentationPlugin from '@botloom/plugin-segmentation';
import supportPlugin from '@botloom/plugin-support';
import { sandboxSupportSettings } from './src/sandbox-desk.js';

/**
 * The reference app's plugins, read by `src/main.ts` and by the `botloom` CLI
 * (`npx botloom config:check`, `migrate`, `admin:token create`...) run in this folder.
 *
 * Free text in a private chat: inside a /start_session it is a conversation with the personal
 * agent (memory); outside one, memory passes it on and the support desk answers it. Support
 * must stay last: it answers every private text it receives.
 *
 * Without TELEGRAM_BOT_TOKEN (sandbox mode) the support desk gets a playable manager side:
 * `src/main.ts` creates a forum group "Support managers" and a manager, Maria, in the
 * emulator, and these settings name them (see src/sandbox-desk.ts).
 */
export default defineConfig({
  plugins: [
    memoryPlugin({ outsideSession: 'ignore' }),
    segmentationPlugin({ openAccessInSandbox: true }),
    supportPlugin({
      knowledgeDir: fileURLToPath(new URL('./knowledge', import.meta.url)),
      ...sandboxSupportSettings(),
    }),
  ],
});
