/**
 * An app with the Instagram plugin for the crash test (test/crash-safety.test.ts), run as a
 * child process. Settings come from the environment; prints `READY <url>` once it takes requests.
 */
import { createApp } from '@botloom/core';
import instagramPlugin from '../../src/index.js';

const app = createApp({ plugins: [instagramPlugin()], sandbox: false, handleSignals: true, dotenv: false });
await app.start();
process.stdout.write(`READY ${app.url}\n`);
