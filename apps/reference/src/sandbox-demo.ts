import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { App } from '@botloom/core';
import { SandboxClient, SandboxGroups } from '@botloom/core/sandbox';
import { SegmentationTokens, writeGeneratedCsv } from '@botloom/plugin-segmentation';

const DEMO_CLIENTS = 1500;

/**
 * Sandbox mode only: so that a newcomer can try /segments, /segment and /insight at once, an
 * empty segmentation database gets synthetic clients (the plugin's own seeded generator),
 * imported and segmented like an admin upload would be. Never runs with a real bot token,
 * and never touches a database that already holds a segmentation. Until the data is ready,
 * segmentation answers "preparing demo data" instead of "no data"; call this right after
 * `app.start()`, before printing the banner.
 */
export async function seedSandboxDemoData(app: App): Promise<void> {
  if (!app.sandbox || !app.plugins.some((plugin) => plugin.id === 'segmentation')) return;
  const services = app.resolver('segmentation')(SegmentationTokens.Services);
  // Before the first await: from now until the data is ready, /segments says it is coming.
  const ready = services.preparation.begin();
  const dir = path.join(app.dataDir, 'demo');
  const file = path.join(dir, 'segmentation-demo.csv');
  try {
    if (await services.queries.latestRun()) return;
    // A stop (Ctrl+C) between the import and the segmentation: segment what is there.
    const imports = await services.imports.listImports(1);
    if (!imports.some((record) => record.status === 'completed')) {
      await mkdir(dir, { recursive: true });
      const out = createWriteStream(file);
      await writeGeneratedCsv(out, { clients: DEMO_CLIENTS, seed: 42 });
      out.end();
      await finished(out);
      const imported = await services.imports.importFile(file);
      if (imported.status !== 'completed') throw new Error(`demo import ${imported.status}`);
    }
    await services.recompute.recompute({ trigger: 'manual' });
    app.logger.info(
      { clients: DEMO_CLIENTS },
      'sandbox demo: synthetic segmentation data imported and segmented (try /segments)',
    );
  } finally {
    ready();
    await rm(file, { force: true });
  }
}

/**
 * Sandbox mode only: a disclosed assistant bot for the sales plugin's education groups. The
 * token is fixed so the plugin's settings can name it before the app is created; the emulator
 * serves it once `seedSandboxStudyGroup` registered it (never with a real bot token).
 */
export const SANDBOX_STUDY_GROUP = {
  title: 'Study group (demo)',
  assistant: {
    token: '7000000001:sandbox-demo-assistant-bot-token-0001',
    first_name: 'Course Assistant (bot)',
    username: 'course_assistant_demo_bot',
  },
} as const;

/** The sales plugin's settings for the sandbox study group, or `{}` with a real bot token. */
export function sandboxSalesSettings(sandboxMode: boolean): {
  educationGroups?: boolean;
  educationAssistantBotTokens?: string;
} {
  if (!sandboxMode) return {};
  return { educationGroups: true, educationAssistantBotTokens: SANDBOX_STUDY_GROUP.assistant.token };
}

interface SandboxEducationGroups {
  service: { registerPoolGroup(chatId: number): Promise<unknown> };
  store: {
    byChat(chatId: number): Promise<{ id: number; status: string } | undefined>;
    deletePoolGroup(id: number): Promise<void>;
  };
}

/**
 * Sandbox mode only: so that a person can play a sales conversation into an education group,
 * a supergroup with the bot as admin and the assistant bot in it, registered in the sales
 * plugin's pool. The emulator's world starts empty on every start while the database stays, so
 * a row left from an earlier run for the same chat id (an invite nobody can use any more) goes.
 */
export async function seedSandboxStudyGroup(app: App): Promise<number | undefined> {
  if (!app.sandbox || !app.plugins.some((plugin) => plugin.id === 'sales')) return undefined;
  const education = app.services<{ educationGroups?: SandboxEducationGroups }>('sales').educationGroups;
  if (!education || !app.pluginConfig<{ educationGroups?: boolean }>('sales').educationGroups)
    return undefined;
  const client = new SandboxClient(app.sandbox.apiRoot);
  const groups = new SandboxGroups(client);
  const assistant = await groups.addBot(SANDBOX_STUDY_GROUP.assistant);
  const chat = await client.createChat({
    type: 'supergroup',
    title: SANDBOX_STUDY_GROUP.title,
    botStatus: 'administrator',
  });
  const chatId = chat.chat.id;
  await groups.addBotToChat(chatId, assistant.bot.id);
  const left = await education.store.byChat(chatId);
  if (left) await education.store.deletePoolGroup(left.id);
  await education.service.registerPoolGroup(chatId);
  app.logger.info(
    { chatId, assistant: SANDBOX_STUDY_GROUP.assistant.username },
    `sandbox demo: pool group "${SANDBOX_STUDY_GROUP.title}" for sales conversations (try /start sales-course)`,
  );
  return chatId;
}
