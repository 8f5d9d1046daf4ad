import { defineConfig } from '@botloom/core';
import salesPlugin, { DEMO_SCRIPT_FILES } from '../src/index.js';

/** The app `npm run bench` evaluates: the sales plugin with the shipped demo scripts. */
export default defineConfig({ plugins: [salesPlugin({ scriptFiles: DEMO_SCRIPT_FILES })] });
