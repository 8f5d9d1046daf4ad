import { BootError, createApp, problemsOf } from '@botloom/core';
import botloomConfig from '../botloom.config.js';

// The complete bot: every plugin of botloom.config.ts, configured from the environment and
// .env. With no settings at all it runs on embedded PostgreSQL under ./.botloom in sandbox mode.
try {
  const app = createApp({
    plugins: botloomConfig.plugins,
    config: botloomConfig.config,
    handleSignals: true,
  });
  await app.start();
  console.log(`\nBotloom reference app is ready`);
  console.log(`  HTTP:   ${app.url}  (/healthz, /readyz, /metrics, /admin/api/...)`);
  for (const [name, url] of Object.entries(app.sandbox?.urls ?? {})) console.log(`  ${name}: ${url}`);
  console.log(`  data:   ${app.dataDir}`);
  console.log('  Stop with Ctrl+C.\n');
} catch (err) {
  if (err instanceof BootError && problemsOf(err)) {
    console.error(`\n${err.message}\n`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
}
