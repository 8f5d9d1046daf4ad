import { fileURLToPath } from 'node:url';
import { defineConfig } from '@botloom/core';
import memoryPlugin from '@botloom/plugin-memory';
import segmentationPlugin from '@botloom/plugin-segmentation';
import supportPlugin from '@botloom/plugin-support';

/**
 * The reference app's plugins, read by `src/main.ts` and by the `botloom` CLI
 * (`npx botloom config:check`, `migrate`, `admin:token create`...) run in this folder.
 *
 * Free text in a private chat: inside a /start_session it is a conversation with the personal
 * agent (memory); outside one, memory passes it on and the support desk answers it. Support
 * must stay last: it answers every private text it receives.
 */
export default defineConfig({
  plugins: [
    memoryPlugin({ outsideSession: 'ignore' }),
    segmentationPlugin({ openAccessInSandbox: true }),
    supportPlugin({ knowledgeDir: fileURLToPath(new URL('./knowledge', import.meta.url)) }),
  ],
});
