import { defineConfig } from '@botloom/core';
import memoryPlugin from '@botloom/plugin-memory';
import segmentationPlugin from '@botloom/plugin-segmentation';
import supportPlugin from '@botloom/plugin-support';

/**
 * The reference app's plugins, read by `src/main.ts` and by the `botloom` CLI
 * (`npx botloom config:check`, `migrate`, `admin:token create`...) run in this folder.
 * Each plugin issue adds its plugin here.
 */
export default defineConfig({
  plugins: [memoryPlugin(), segmentationPlugin({ openAccessInSandbox: true }), supportPlugin()],
});
