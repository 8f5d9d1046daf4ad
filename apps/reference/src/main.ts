import { BootError, type BotloomConfig, createApp, endQuietBoot, problemsOf } from '@botloom/core';
import { playgroundAddress } from '@botloom/core/sandbox';
import botloomConfig from '../botloom.config.js';
import { ensureSandboxAdminToken } from './sandbox-admin-token.js';
import { ensureSandboxPanelUser, SANDBOX_PANEL_USER } from './sandbox-admin-user.js';
import {
  prepareSandboxCommentatorData,
  SANDBOX_COMMENTATOR,
  sandboxWithCommentatorDemo,
} from './sandbox-commentator.js';
import { seedSandboxDemoData, seedSandboxStudyGroup } from './sandbox-demo.js';
import { prepareSandboxDeskData, SANDBOX_DESK, sandboxWithSupportDesk } from './sandbox-desk.js';

// The complete bot: every plugin of botloom.config.ts, configured from the environment and
// .env. With no settings at all it runs on embedded PostgreSQL under ./.botloom in sandbox mode.
const appConfig: BotloomConfig = botloomConfig;

try {
  const app = createApp({
    plugins: appConfig.plugins,
    config: appConfig.config,
    handleSignals: true,
    // In a terminal: warnings during boot, then the banner below, then every log line.
    quietBoot: true,
    // Sandbox mode only (no TELEGRAM_BOT_TOKEN): the emulator with the support desk's group.
    sandbox: sandboxWithCommentatorDemo(sandboxWithSupportDesk()),
  });
  await app.start();
  // The app already answers while demo data is prepared in the background.
  seedSandboxDemoData(app).catch((err) => {
    // Ctrl+C while it was prepared: the stop closed the database under it; the next start redoes it.
    if (app.state === 'stopping' || app.state === 'stopped') return;
    app.logger.warn({ err }, 'sandbox demo data could not be prepared');
  });
  await prepareSandboxDeskData(app);
  await prepareSandboxCommentatorData(app);
  // A demo group that cannot be set up leaves sales inviting nobody; the app still runs.
  await seedSandboxStudyGroup(app).catch((err) => {
    app.logger.warn({ err }, 'sandbox study group could not be prepared');
  });
  console.log(`\nBotloom reference app is ready`);
  console.log(`  HTTP:   ${app.url}  (/healthz, /readyz, /metrics, /admin/api/...)`);
  if (app.sandbox) {
    // With PORT=0 the sandbox cannot know the final port when it starts: derive from app.url.
    const prefix = app.sandbox.routes?.[0]?.prefix ?? '/sandbox';
    const playground =
      app.sandbox.urls?.playground ?? playgroundAddress(app.url!, prefix, app.sandbox.controlToken);
    console.log(`  playground: ${playground}  (chat with the bot in the browser)`);
    console.log(`  bot API emulator: ${app.sandbox.apiRoot}`);
    console.log(
      `  support desk: you are ${SANDBOX_DESK.customer.first_name}; switch the user to ${SANDBOX_DESK.manager.first_name} to answer tickets in "${SANDBOX_DESK.groupTitle}"`,
    );
    console.log(
      `  commentator: post in "${SANDBOX_COMMENTATOR.channelTitle}", approve the draft in "${SANDBOX_COMMENTATOR.reviewTitle}" or the panel, see it in "${SANDBOX_COMMENTATOR.discussionTitle}"`,
    );
  }
  const adminToken = await ensureSandboxAdminToken(app);
  if (adminToken) {
    console.log(`  admin:  curl -H 'Authorization: Bearer ${adminToken}' ${app.url}/admin/api/core/plugins`);
  }
  const panelPassword = await ensureSandboxPanelUser(app);
  if (panelPassword) {
    console.log(
      `  admin panel: ${app.url}/admin/  (sign in as ${SANDBOX_PANEL_USER}, password ${panelPassword})`,
    );
  }
  console.log(`  data:   ${app.dataDir}`);
  console.log('  Stop with Ctrl+C.\n');
  endQuietBoot(app.logger);
} catch (err) {
  if (err instanceof BootError && problemsOf(err)) {
    console.error(`\n${err.message}\n`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
}
